package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ghodss/yaml"
	"github.com/mitchellh/copystructure"
)

// ReadValues parses a values file as Helm's chartutil.ReadValues does: YAML -> JSON -> map, so every number
// is a float64 (a template printing 1000000 from values prints 1e+06, exactly as Helm does). An empty
// document is an empty map.
func ReadValues(data []byte) (map[string]interface{}, error) {
	vals := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &vals); err != nil {
		return nil, err
	}
	if vals == nil {
		vals = map[string]interface{}{}
	}
	return vals, nil
}

// MergeValueFiles merges several `-f` files, later ones winning, as helm's values.Options.MergeValues does
// (maps merged recursively, everything else replaced; nulls are kept here and acted on by CoalesceValues).
func MergeValueFiles(files []map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for _, f := range files {
		out = mergeMaps(out, f)
	}
	return out
}

func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if vm, ok := v.(map[string]interface{}); ok {
			if bv, ok := out[k]; ok {
				if bm, ok := bv.(map[string]interface{}); ok {
					out[k] = mergeMaps(bm, vm)
					continue
				}
			}
		}
		out[k] = v
	}
	return out
}

// CoalesceValues deep-merges the user's values over the chart's defaults as chartutil.CoalesceValues
// does: user values win, maps merge key by key, lists and scalars are replaced whole, and a user `null`
// deletes the key (defaults included). Warnings (a table overwritten by a scalar and the reverse) are
// returned rather than printed.
func CoalesceValues(defaults, user map[string]interface{}) (map[string]interface{}, []string) {
	var warnings []string
	printf := func(format string, args ...interface{}) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
	v, err := copystructure.Copy(user)
	if err != nil {
		panic(err)
	}
	vals := v.(map[string]interface{})
	dc, err := copystructure.Copy(defaults)
	if err != nil {
		panic(err)
	}
	for key, val := range dc.(map[string]interface{}) {
		if value, ok := vals[key]; ok {
			if value == nil {
				delete(vals, key)
			} else if dest, ok := value.(map[string]interface{}); ok {
				src, ok := val.(map[string]interface{})
				if !ok {
					if val != nil {
						printf("warning: skipped value for %s: Not a table.", key)
					}
				} else {
					coalesceTables(printf, dest, src, key)
				}
			}
		} else {
			vals[key] = val
		}
	}
	sort.Strings(warnings)
	return vals, warnings
}

func coalesceTables(printf func(string, ...interface{}), dst, src map[string]interface{}, prefix string) {
	for key, val := range src {
		fullkey := strings.TrimPrefix(prefix+"."+key, ".")
		dv, ok := dst[key]
		switch {
		case ok && dv == nil:
			delete(dst, key)
		case !ok:
			dst[key] = val
		case isTable(val):
			if isTable(dv) {
				coalesceTables(printf, dv.(map[string]interface{}), val.(map[string]interface{}), fullkey)
			} else {
				printf("warning: cannot overwrite table with non table for %s (%v)", fullkey, val)
			}
		case isTable(dv) && val != nil:
			printf("warning: destination for %s is a table. Ignoring non-table value (%v)", fullkey, val)
		}
	}
}

func isTable(v interface{}) bool {
	_, ok := v.(map[string]interface{})
	return ok
}
