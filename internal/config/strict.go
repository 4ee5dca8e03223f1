package config

import (
	"encoding"
	"maps"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

var (
	yamlUnmarshaler = reflect.TypeFor[yaml.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	nodeType        = reflect.TypeFor[yaml.Node]()
	anyType         = reflect.TypeFor[any]()
)

// unknownFields walks n along the type of out the way go-yaml decodes it and
// calls report for every mapping key that names no struct field, with the
// keys that would have been known. Values of types that decode themselves
// (yaml.Unmarshaler, encoding.TextUnmarshaler, yaml.Node, interfaces) are
// not looked into.
func unknownFields(n *yaml.Node, out any, report func(key *yaml.Node, known []string)) {
	if t := reflect.TypeOf(out); t != nil {
		walkFields(n, t, report)
	}
}

func walkFields(n *yaml.Node, t reflect.Type, report func(*yaml.Node, []string)) {
	n = resolve(n)
	for t.Kind() == reflect.Pointer && !decodesItself(t) {
		t = t.Elem()
	}
	if decodesItself(t) {
		return
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields, rest := structFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch ft, ok := fields[k.Value]; {
			case k.ShortTag() == "!!merge":
				walkMerged(v, t, report)
			case ok:
				walkFields(v, ft, report)
			case rest != nil:
				walkFields(v, rest, report)
			default:
				report(k, slices.Sorted(maps.Keys(fields)))
			}
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 1; i < len(n.Content); i += 2 {
			walkFields(n.Content[i], t.Elem(), report)
		}
	case (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && n.Kind == yaml.SequenceNode:
		for _, item := range n.Content {
			walkFields(item, t.Elem(), report)
		}
	}
}

// walkMerged walks the value of a "<<" merge key: a mapping or a list of them.
func walkMerged(v *yaml.Node, t reflect.Type, report func(*yaml.Node, []string)) {
	if v = resolve(v); v.Kind == yaml.SequenceNode {
		for _, item := range v.Content {
			walkFields(item, t, report)
		}
		return
	}
	walkFields(v, t, report)
}

func decodesItself(t reflect.Type) bool {
	return t == nodeType || t.Kind() == reflect.Interface ||
		t.Implements(yamlUnmarshaler) || reflect.PointerTo(t).Implements(yamlUnmarshaler) ||
		t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)
}

// structFields returns the YAML keys of struct t with their types, and the
// element type of its ",inline" map if it has one, following go-yaml's rules:
// the key is the yaml tag's name or the lower-cased field name, "-" skips
// the field, and ",inline" structs lend their fields.
func structFields(t reflect.Type) (fields map[string]reflect.Type, rest reflect.Type) {
	fields = map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		name, flags, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if slices.Contains(strings.Split(flags, ","), "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			switch {
			case decodesItself(ft):
				rest = anyType // it takes the whole mapping
			case ft.Kind() == reflect.Map:
				rest = ft.Elem()
			case ft.Kind() == reflect.Struct:
				inner, innerRest := structFields(ft)
				maps.Copy(fields, inner)
				if innerRest != nil {
					rest = innerRest
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields, rest
}
