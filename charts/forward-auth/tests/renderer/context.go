package main

import (
	"encoding/base64"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/ghodss/yaml"
)

// Files is `.Files`: the chart's non-template files, with Helm's accessors.
type Files map[string][]byte

func (f Files) GetBytes(name string) []byte { return f[name] }
func (f Files) Get(name string) string      { return string(f[name]) }

// Glob returns the files whose path matches a shell glob (Helm uses gobwas/glob; for the patterns charts
// use, `*`, `?` and `[...]` within one path segment, path.Match agrees).
func (f Files) Glob(pattern string) Files {
	out := Files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}

func (f Files) sortedNames() []string {
	names := make([]string, 0, len(f))
	for n := range f {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// AsConfig renders the files as a ConfigMap `data` body (base name -> content).
func (f Files) AsConfig() string {
	m := map[string]string{}
	for _, n := range f.sortedNames() {
		m[path.Base(n)] = string(f[n])
	}
	return toYAML(m)
}

// AsSecrets renders the files as a Secret `data` body (base name -> base64 content).
func (f Files) AsSecrets() string {
	m := map[string]string{}
	for _, n := range f.sortedNames() {
		m[path.Base(n)] = base64.StdEncoding.EncodeToString(f[n])
	}
	return toYAML(m)
}

func (f Files) Lines(name string) []string {
	s := string(f[name])
	if s == "" {
		return []string{}
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// KubeVersion, VersionSet and Capabilities mirror chartutil's `.Capabilities`.
type KubeVersion struct {
	Version string
	Major   string
	Minor   string
}

func (kv *KubeVersion) String() string     { return kv.Version }
func (kv *KubeVersion) GitVersion() string { return kv.Version }

type VersionSet []string

func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

type HelmVersion struct {
	Version      string
	GitCommit    string
	GitTreeState string
	GoVersion    string
}

type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
	HelmVersion HelmVersion
}

// builtinAPIVersions is the subset of chartutil.DefaultVersionSet that a current cluster serves
// (group/version and group/version/Kind entries for the kinds charts commonly gate on).
var builtinAPIVersions = []string{
	"v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "apps/v1", "authentication.k8s.io/v1",
	"authorization.k8s.io/v1", "autoscaling/v1", "autoscaling/v2", "batch/v1", "certificates.k8s.io/v1",
	"coordination.k8s.io/v1", "discovery.k8s.io/v1", "events.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1",
	"networking.k8s.io/v1", "node.k8s.io/v1", "policy/v1", "rbac.authorization.k8s.io/v1",
	"scheduling.k8s.io/v1", "storage.k8s.io/v1",
	"apps/v1/Deployment", "autoscaling/v2/HorizontalPodAutoscaler", "networking.k8s.io/v1/Ingress",
	"networking.k8s.io/v1/NetworkPolicy", "policy/v1/PodDisruptionBudget",
}

// NewCapabilities builds `.Capabilities` for a Kubernetes version ("v1.30.0") plus extra API versions
// (`helm template --api-versions`).
func NewCapabilities(kubeVersion string, extra []string) (*Capabilities, error) {
	v, err := semver.NewVersion(kubeVersion)
	if err != nil {
		return nil, fmt.Errorf("kube version %q: %w", kubeVersion, err)
	}
	apis := append(VersionSet{}, builtinAPIVersions...)
	apis = append(apis, extra...)
	return &Capabilities{
		KubeVersion: KubeVersion{Version: "v" + v.String(), Major: fmt.Sprint(v.Major()), Minor: fmt.Sprint(v.Minor())},
		APIVersions: apis,
		HelmVersion: HelmVersion{Version: "v3.16.0", GitTreeState: "clean", GoVersion: "go1.22"},
	}, nil
}

// CheckKubeVersion applies Chart.yaml's kubeVersion constraint as Helm does before rendering.
func CheckKubeVersion(m *Metadata, caps *Capabilities) error {
	if m.KubeVersion == "" {
		return nil
	}
	c, err := semver.NewConstraint(m.KubeVersion)
	if err != nil {
		return fmt.Errorf("Chart.yaml kubeVersion %q: %w", m.KubeVersion, err)
	}
	v, err := semver.NewVersion(caps.KubeVersion.Version)
	if err != nil {
		return err
	}
	if !c.Check(v) {
		return fmt.Errorf("chart requires kubeVersion: %s which is incompatible with Kubernetes %s", m.KubeVersion, caps.KubeVersion.Version)
	}
	return nil
}

// ClusterObjects answers `lookup` from a YAML stream of objects, as a cluster would: one object by
// apiVersion/kind/namespace/name, or with an empty name a list `{items: [...]}`; nothing found is `{}`.
type ClusterObjects []map[string]interface{}

func ParseClusterObjects(data []byte) (ClusterObjects, error) {
	var objs ClusterObjects
	for _, doc := range splitYAMLDocuments(string(data)) {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			return nil, err
		}
		if len(m) > 0 {
			objs = append(objs, m)
		}
	}
	return objs, nil
}

func (objs ClusterObjects) Lookup(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
	var items []interface{}
	for _, o := range objs {
		md, _ := o["metadata"].(map[string]interface{})
		if o["apiVersion"] != apiVersion || o["kind"] != kind {
			continue
		}
		if namespace != "" && md["namespace"] != namespace {
			continue
		}
		if name == "" {
			items = append(items, o)
		} else if md["name"] == name {
			return o, nil
		}
	}
	if name == "" {
		if items == nil {
			items = []interface{}{}
		}
		return map[string]interface{}{"apiVersion": apiVersion, "kind": kind + "List", "metadata": map[string]interface{}{}, "items": items}, nil
	}
	return map[string]interface{}{}, nil
}
