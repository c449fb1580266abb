// Command helmrender renders a Helm chart the way `helm template` does, for machines where Helm itself
// cannot be installed. It uses the libraries Helm uses (Go's text/template, Masterminds/sprig v3,
// ghodss/yaml, xeipuuv/gojsonschema) and re-implements Helm's own parts: values coalescing, the
// values.schema.json check, the function map (include, tpl, required, lookup, toYaml, ...), .Release,
// .Chart, .Capabilities, .Files, .Template, the kubeVersion constraint and the manifest output order.
//
//	helmrender -chart charts/forward-auth -f a.yaml -f b.yaml -name tfa -namespace kommander
//	    [-lookup cluster.yaml] [-kube-version v1.30.0] [-a monitoring.coreos.com/v1] [-upgrade] [-strict]
//	    [-notes] [-values-out merged.json]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/ghodss/yaml"
	"github.com/xeipuuv/gojsonschema"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// Options are `helm template`'s inputs.
type Options struct {
	ChartDir    string
	ValueFiles  []string
	Release     string
	Namespace   string
	KubeVersion string
	APIVersions []string
	LookupFile  string
	IsUpgrade   bool
	Strict      bool // `helm lint --strict`: a template reading a key absent from the values fails
}

// Result is a rendering: the manifests in Helm's output order, NOTES.txt, and the values templates saw.
type Result struct {
	Rendered  map[string]string // every template's output, by template name
	Manifests []Manifest
	Notes     string
	Values    map[string]interface{}
	Warnings  []string
}

type Manifest struct {
	Source  string
	Kind    string
	Content string
}

func main() {
	var o Options
	var files, apis stringList
	flag.StringVar(&o.ChartDir, "chart", "", "chart directory")
	flag.Var(&files, "f", "values file (repeatable; later files win)")
	flag.StringVar(&o.Release, "name", "release-name", "release name")
	flag.StringVar(&o.Namespace, "namespace", "default", "release namespace")
	flag.StringVar(&o.KubeVersion, "kube-version", "v1.30.0", "Kubernetes version for .Capabilities")
	flag.Var(&apis, "a", "extra API version for .Capabilities.APIVersions (repeatable)")
	flag.StringVar(&o.LookupFile, "lookup", "", "YAML stream of cluster objects that `lookup` finds")
	flag.BoolVar(&o.IsUpgrade, "upgrade", false, "render as an upgrade (.Release.IsUpgrade)")
	flag.BoolVar(&o.Strict, "strict", false, "fail on a missing value key (missingkey=error), as `helm lint --strict`")
	notes := flag.Bool("notes", false, "print the rendered NOTES.txt after the manifests")
	valuesOut := flag.String("values-out", "", "write the coalesced values (what templates see) as JSON to this file")
	flag.Parse()
	o.ValueFiles, o.APIVersions = files, apis
	if o.ChartDir == "" {
		fmt.Fprintln(os.Stderr, "Error: -chart is required")
		os.Exit(2)
	}
	res, err := Run(o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		os.Exit(1)
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(os.Stderr, w)
	}
	if *valuesOut != "" {
		data, _ := json.MarshalIndent(res.Values, "", "  ")
		if err := os.WriteFile(*valuesOut, data, 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "Error: %v\n", err)
			os.Exit(1)
		}
	}
	var out strings.Builder
	for _, m := range res.Manifests {
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", m.Source, m.Content)
	}
	if *notes && res.Notes != "" {
		fmt.Fprintf(&out, "\nNOTES:\n%s\n", res.Notes)
	}
	fmt.Print(out.String())
}

// Run loads the chart, coalesces values, validates them against the schema, and renders.
func Run(o Options) (*Result, error) {
	c, err := LoadChart(o.ChartDir)
	if err != nil {
		return nil, err
	}
	var userFiles []map[string]interface{}
	for _, f := range o.ValueFiles {
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		v, err := ReadValues(raw)
		if err != nil {
			return nil, fmt.Errorf("failed to parse %s: %w", f, err)
		}
		userFiles = append(userFiles, v)
	}
	caps, err := NewCapabilities(o.KubeVersion, o.APIVersions)
	if err != nil {
		return nil, err
	}
	var lookup LookupFunc
	if o.LookupFile != "" {
		raw, err := os.ReadFile(o.LookupFile)
		if err != nil {
			return nil, err
		}
		objs, err := ParseClusterObjects(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.LookupFile, err)
		}
		lookup = objs.Lookup
	}
	return RenderChart(c, MergeValueFiles(userFiles), o, caps, lookup)
}

// RenderChart is the library entry point the tests use.
func RenderChart(c *Chart, user map[string]interface{}, o Options, caps *Capabilities, lookup LookupFunc) (*Result, error) {
	if err := CheckKubeVersion(c.Metadata, caps); err != nil {
		return nil, err
	}
	vals, warnings := CoalesceValues(c.Values, user)
	if err := ValidateAgainstSchema(c.Schema, vals); err != nil {
		return nil, err
	}
	release := map[string]interface{}{
		"Name":      o.Release,
		"Namespace": o.Namespace,
		"IsUpgrade": o.IsUpgrade,
		"IsInstall": !o.IsUpgrade,
		"Revision":  1,
		"Service":   "Helm",
	}
	if o.IsUpgrade {
		release["Revision"] = 2
	}
	top := map[string]interface{}{
		"Chart":        c.Metadata,
		"Capabilities": caps,
		"Release":      release,
		"Values":       vals,
		"Files":        Files(c.Files),
		"Subcharts":    map[string]interface{}{},
	}
	rendered, err := Engine{Lookup: lookup, Strict: o.Strict}.Render(c, top)
	if err != nil {
		return nil, err
	}
	res := &Result{Values: vals, Warnings: warnings, Rendered: rendered}
	notesName := c.Metadata.Name + "/templates/NOTES.txt"
	res.Notes = strings.TrimSpace(rendered[notesName])
	manifests := map[string]string{}
	for n, s := range rendered {
		if n != notesName {
			manifests[n] = s
		}
	}
	res.Manifests, err = sortManifests(manifests)
	return res, err
}

// ValidateAgainstSchema is chartutil.ValidateAgainstSchema for a chart without subcharts: the coalesced
// values are checked with gojsonschema (the validator Helm 3 used through 3.17).
func ValidateAgainstSchema(schema []byte, vals map[string]interface{}) error {
	if len(schema) == 0 {
		return nil
	}
	valuesJSON, err := json.Marshal(vals)
	if err != nil {
		return err
	}
	result, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewBytesLoader(valuesJSON))
	if err != nil {
		return err
	}
	if result.Valid() {
		return nil
	}
	var sb strings.Builder
	for _, e := range result.Errors() {
		fmt.Fprintf(&sb, "- %s\n", e)
	}
	return fmt.Errorf("values don't meet the specifications of the schema(s) in the following chart(s):\n%s:\n%s", "chart", sb.String())
}

var manifestSep = regexp.MustCompile("(?:^|\\s*\n)---\\s*")

func splitYAMLDocuments(s string) []string {
	var docs []string
	for _, d := range manifestSep.Split(strings.TrimSpace(s), -1) {
		if d = strings.TrimSpace(d); d != "" {
			docs = append(docs, d)
		}
	}
	return docs
}

// installOrder is releaseutil.InstallOrder: `helm template` prints manifests sorted by kind in this order,
// unknown kinds last, stable otherwise.
var installOrder = []string{
	"PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
	"PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
	"PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
	"ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
	"RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
	"HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
}

func sortManifests(rendered map[string]string) ([]Manifest, error) {
	names := make([]string, 0, len(rendered))
	for n := range rendered {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []Manifest
	for _, n := range names {
		if strings.TrimSpace(rendered[n]) == "" {
			continue
		}
		for _, doc := range splitYAMLDocuments(rendered[n]) {
			var head struct {
				Kind string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return nil, fmt.Errorf("YAML parse error on %s: %w", n, err)
			}
			out = append(out, Manifest{Source: n, Kind: head.Kind, Content: doc})
		}
	}
	rank := func(kind string) int {
		for i, k := range installOrder {
			if k == kind {
				return i
			}
		}
		return len(installOrder)
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].Kind) < rank(out[j].Kind) })
	return out, nil
}
