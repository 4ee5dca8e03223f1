package config

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeKnownFields decodes the value of settings.<checkID> in text, the
// configuration file, into out, a non-nil pointer, with go-yaml's
// Decoder.KnownFields: a key that names no field of a struct is an error,
// by the rules go-yaml decodes with (inline structs and maps, "-" fields,
// merge keys). Only a Decoder has KnownFields, and it reads text: so the
// whole file is decoded into a value shaped like it, whose other keys are
// kept as yaml.Node and not looked into, and go-yaml's errors carry the
// lines of the file.
func decodeKnownFields(text []byte, checkID string, out reflect.Value) error {
	if checkID == "" || checkID == "-" || strings.Contains(checkID, ",") {
		// A yaml tag cannot name such a key (check IDs are slugs).
		return fmt.Errorf("%q cannot be a check ID", checkID)
	}
	others := reflect.StructField{Name: "Others", Type: reflect.TypeFor[map[string]yaml.Node](), Tag: `yaml:",inline"`}
	settings := reflect.StructOf([]reflect.StructField{
		{Name: "Check", Type: out.Type(), Tag: reflect.StructTag("yaml:" + strconv.Quote(checkID))},
		others,
	})
	file := reflect.New(reflect.StructOf([]reflect.StructField{
		{Name: "Settings", Type: settings, Tag: `yaml:"settings"`},
		others,
	}))
	file.Elem().Field(0).Field(0).Set(out)
	dec := yaml.NewDecoder(bytes.NewReader(text))
	dec.KnownFields(true)
	return dec.Decode(file.Interface())
}

// knownKeys holds the struct types a settings type is made of, each with
// the YAML keys it takes, sorted, to say which keys an unknown one could
// have been.
type knownKeys map[reflect.Type][]string

// add adds t, when it is a struct or holds structs, and the structs of its
// fields.
func (k knownKeys) add(t reflect.Type) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if _, seen := k[t]; seen || t.Kind() != reflect.Struct {
		return
	}
	k[t] = nil // seen, for recursive types
	keys := k.fields(t)
	slices.Sort(keys)
	k[t] = keys
}

// fields returns the keys of struct t by go-yaml's rules (the yaml tag's
// name or the lower-cased field name; "-" skips a field; an inline struct
// lends its keys, an inline map takes the other keys), and adds the types
// of its fields.
func (k knownKeys) fields(t reflect.Type) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "" && !strings.Contains(string(f.Tag), ":") {
			tag = string(f.Tag)
		}
		if !f.IsExported() && !f.Anonymous || tag == "-" {
			continue
		}
		name, flags, _ := strings.Cut(tag, ",")
		if slices.Contains(strings.Split(flags, ","), "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				keys = append(keys, k.fields(ft)...)
			} else {
				k.add(ft)
			}
			continue
		}
		k.add(f.Type)
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		keys = append(keys, name)
	}
	return keys
}

// named returns the keys of the struct type go-yaml names typeName, when
// exactly one type has that name.
func (k knownKeys) named(typeName string) (keys []string, ok bool) {
	found := 0
	for t, tk := range k {
		if t.String() == typeName {
			keys, found = tk, found+1
		}
	}
	return keys, found == 1
}

// keysAt returns the mapping keys named key on line line in the tree of n,
// in document order. Aliases are not followed: the keys of an aliased or
// merged mapping are found where its anchor stands, as go-yaml reports
// them.
func keysAt(n *yaml.Node, line int, key string) []*yaml.Node {
	var found []*yaml.Node
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 && c.Line == line && c.Value == key {
			found = append(found, c)
		}
		found = append(found, keysAt(c, line, key)...)
	}
	return found
}
