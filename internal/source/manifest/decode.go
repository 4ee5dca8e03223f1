package manifest

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	sigsjson "sigs.k8s.io/json"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/scheme"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/apilifecycle"
	"github.com/kube4c/kube4c/internal/inventory"
	"github.com/kube4c/kube4c/internal/position"
	"github.com/kube4c/kube4c/internal/source"
)

// docResult is what one document yields.
type docResult struct {
	objects  []*inventory.Object
	errors   []source.Problem
	warnings []source.Problem
	skipped  []source.Problem
	empty    bool
	// read is set when the document was a Kubernetes object or a List.
	read bool

	// For an item of a List read item by item: the item, whether it is a
	// mapping, and when it names no type while the List's is not known
	// yet, its converted text, to decode once the List's end names it.
	item    *listItem
	mapping bool
	untyped *converted
	// end is the List that the document closes.
	end *streamedList
}

// decodeDocument parses, converts and decodes one document of file.
func decodeDocument(file string, ch chunk) (res docResult) {
	if ch.item != nil {
		return decodeStreamedItem(file, ch)
	}
	if ch.end != nil {
		return docResult{end: ch.end}
	}
	at := func(line, col int) inventory.Location { return inventory.Location{File: file, Line: line, Column: col} }
	fail := func(loc inventory.Location, object, format string, args ...any) docResult {
		res.errors = append(res.errors, source.Problem{Location: loc, Object: object, Message: fmt.Sprintf(format, args...)})
		return res
	}
	if ch.tooLarge {
		return fail(at(ch.line, 1), "", "%s", tooLargeMessage("document", ch.limit))
	}
	if conv, apiVersion, kind, ok := fastConvert(file, ch.doc, ch); ok {
		if apiVersion == "" || kind == "" {
			root := conv.index.Pos(position.Root)
			res.skipped = append(res.skipped, source.Problem{Location: at(root.Line, root.Column), Message: noTypeMessage})
			return res
		}
		decodeObjects(file, ch.doc, conv, apiVersion, kind, &res)
		return res
	}
	n, err := parseRoot(ch)
	if err != nil {
		return fail(at(err.line, 0), "", "invalid YAML: %s", err.msg)
	}
	if n == nil {
		res.empty = true
		return res
	}
	lineOffset := ch.line - 1
	if n.Kind == yaml.SequenceNode && hasMapping(n) {
		conv, cerr := convertAt(n, ch.line, ch.col, len(ch.data))
		if cerr != nil {
			return fail(convErrorLocation(file, cerr, n, ch), "", "%s", convErrorMessage(cerr))
		}
		decodeSequence(file, ch.doc, conv, len(n.Content), &res)
		return res
	}
	if n.Kind != yaml.MappingNode {
		res.skipped = append(res.skipped, source.Problem{Location: at(n.Line+lineOffset, columnAt(n, ch)), Message: "not a Kubernetes object: the document is a " + nodeKindName(n) + ", not a mapping"})
		return res
	}
	apiVersion, kind := typeOf(n)
	if apiVersion == "" || kind == "" {
		res.skipped = append(res.skipped, source.Problem{Location: at(n.Line+lineOffset, columnAt(n, ch)), Message: noTypeMessage})
		return res
	}
	conv, cerr := convertAt(n, ch.line, ch.col, len(ch.data))
	if cerr != nil {
		return fail(convErrorLocation(file, cerr, n, ch), kind, "%s", convErrorMessage(cerr))
	}
	decodeObjects(file, ch.doc, conv, apiVersion, kind, &res)
	return res
}

// tooLargeMessage refuses what (a document, an item) larger than limit.
func tooLargeMessage(what string, limit int) string {
	return fmt.Sprintf("%s is larger than %s; kube4c refuses it (the API server accepts at most 3 MiB)", what, sizeString(int64(limit)))
}

// yamlError is a parse error at a line of the file.
type yamlError struct {
	line int
	msg  string
}

// parseRoot parses the text of ch and returns its root node, or nil when
// the document is empty: nothing but comments, or null.
func parseRoot(ch chunk) (*yaml.Node, *yamlError) {
	root, err := parseYAML(ch.data)
	if err != nil {
		line, msg := yamlErrorLine(err)
		if line > 0 {
			line += ch.line - 1
		} else {
			line = ch.line
		}
		return nil, &yamlError{line: line, msg: msg}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, nil
	}
	n := resolveAlias(root.Content[0])
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return nil, nil
	}
	return n, nil
}

// columnAt is the column of n in the file, for a node of chunk ch.
func columnAt(n *yaml.Node, ch chunk) int {
	if n.Line == 1 && ch.col > 1 {
		return n.Column + ch.col - 1
	}
	return n.Column
}

func convErrorLocation(file string, err error, n *yaml.Node, ch chunk) inventory.Location {
	var ce *convError
	if errors.As(err, &ce) {
		return inventory.Location{File: file, Line: ce.pos.Line, Column: ce.pos.Column}
	}
	return inventory.Location{File: file, Line: n.Line + ch.line - 1, Column: columnAt(n, ch)}
}

func convErrorMessage(err error) string {
	var ce *convError
	if errors.As(err, &ce) {
		return ce.msg
	}
	return err.Error()
}

// hasMapping reports whether a sequence has a mapping among its items.
func hasMapping(n *yaml.Node) bool {
	for _, item := range n.Content {
		if resolveAlias(item).Kind == yaml.MappingNode {
			return true
		}
	}
	return false
}

const noTypeMessage = "not a Kubernetes object: no apiVersion or kind"

// target is an object to decode from a converted document.
type target struct {
	id     int    // its node in the document's position index
	prefix string // its path in that index; "" for the root
	name   string // how messages name an item ("items[3]", "[3]"); "" for a document
}

// decodeObjects decodes the converted document conv, of type apiVersion
// and kind, into the objects of res: the document itself, or the items of a
// List.
func decodeObjects(file string, docIndex int, conv *converted, apiVersion, kind string, res *docResult) {
	res.read = true
	d := decoder{file: file, docIndex: docIndex, conv: conv, res: res}
	if items, ok := d.listItems(kind); ok {
		for i, id := range items {
			p := fmt.Sprintf("items[%d]", i)
			d.item(target{id: id, prefix: p, name: p}, apiVersion, strings.TrimSuffix(kind, "List"))
		}
		return
	}
	d.object(target{id: position.Root}, apiVersion, kind)
}

// decodeSequence decodes the count items of a top-level sequence, some of
// which are mappings: a list of objects, each named and found at "[i]".
// Items that are not objects are skipped, as documents are.
func decodeSequence(file string, docIndex int, conv *converted, count int, res *docResult) {
	d := decoder{file: file, docIndex: docIndex, conv: conv, res: res}
	for i := range count {
		p := fmt.Sprintf("[%d]", i)
		id, ok := conv.index.Node(p)
		if !ok {
			continue
		}
		t := target{id: id, prefix: p, name: p}
		if !d.isMapping(id) {
			d.res.skipped = append(d.res.skipped, source.Problem{Location: d.locate(t, ""), Message: p + " is not a Kubernetes object: it is not a mapping"})
			continue
		}
		d.item(t, "", "")
	}
}

// parseYAML parses one document, turning a panic of the parser into an error.
func parseYAML(data []byte) (root yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: parser failed: %v", r)
		}
	}()
	err = yaml.Unmarshal(data, &root)
	return root, err
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// yamlErrorLine extracts the 1-based line from a go-yaml error message.
func yamlErrorLine(err error) (int, string) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, msg[len(m[0]):]
	}
	return 0, strings.TrimPrefix(msg, "yaml: ")
}

// typeOf returns the apiVersion and kind of a document's root mapping, when
// they are strings.
func typeOf(n *yaml.Node) (apiVersion, kind string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolveAlias(n.Content[i]), resolveAlias(n.Content[i+1])
		if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
			continue
		}
		switch k.Value {
		case "apiVersion":
			apiVersion = v.Value
		case "kind":
			kind = v.Value
		}
	}
	return apiVersion, kind
}

type decoder struct {
	file     string
	docIndex int
	conv     *converted
	res      *docResult
}

// listItems returns the position node IDs of the items of a List document.
func (d *decoder) listItems(kind string) ([]int, bool) {
	if !strings.HasSuffix(kind, "List") {
		return nil, false
	}
	if _, ok := d.conv.index.Node("items"); !ok {
		return nil, false
	}
	var items []int
	for i := 0; ; i++ {
		item, ok := d.conv.index.Node("items[" + strconv.Itoa(i) + "]")
		if !ok {
			break
		}
		items = append(items, item)
	}
	return items, true
}

func (d *decoder) isMapping(id int) bool {
	span := d.conv.spans[id]
	return span[1] > span[0] && d.conv.json[span[0]] == '{'
}

func (d *decoder) locate(t target, path string) inventory.Location {
	pos, _ := d.conv.index.Lookup(joinPath(t.prefix, path))
	return inventory.Location{File: d.file, Line: pos.Line, Column: pos.Column}
}

// item decodes the item t of a List or sequence, typed by itself or else
// by defaultAPIVersion and defaultKind (empty for none).
func (d *decoder) item(t target, defaultAPIVersion, defaultKind string) {
	if !d.isMapping(t.id) {
		d.res.errors = append(d.res.errors, source.Problem{Location: d.locate(t, ""), Message: t.name + " is not an object"})
		return
	}
	apiVersion, kind, named, err := d.itemType(t)
	if err != nil {
		d.res.errors = append(d.res.errors, source.Problem{Location: d.locate(t, ""), Message: t.name + " is not an object"})
		return
	}
	if !named {
		if defaultKind == "" {
			d.res.skipped = append(d.res.skipped, source.Problem{Location: d.locate(t, ""), Message: t.name + " has no apiVersion or kind"})
			return
		}
		apiVersion, kind = defaultAPIVersion, defaultKind
	}
	d.object(t, apiVersion, kind)
}

// itemType returns the apiVersion and kind that item t names, and whether
// it names both.
func (d *decoder) itemType(t target) (apiVersion, kind string, ok bool, err error) {
	span := d.conv.spans[t.id]
	var tm metav1.TypeMeta
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(d.conv.json[span[0]:span[1]], &tm); err != nil {
		return "", "", false, err
	}
	return tm.APIVersion, tm.Kind, tm.APIVersion != "" && tm.Kind != "", nil
}

// object decodes the node of t (the document root or an item) into an
// inventory object of type apiVersion and kind.
func (d *decoder) object(t target, apiVersion, kind string) {
	span := d.conv.spans[t.id]
	data := d.conv.json[span[0]:span[1]]
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		d.res.errors = append(d.res.errors, source.Problem{Location: d.locate(t, "apiVersion"), Object: kind, Message: err.Error()})
		return
	}
	gvk := gv.WithKind(kind)
	obj, strict, err := decodeInto(gvk, data)
	if err != nil {
		pos, path := d.locateError(err, span[0], t.prefix)
		msg := describeDecodeError(err, path)
		d.res.errors = append(d.res.errors, source.Problem{Location: inventory.Location{File: d.file, Line: pos.Line, Column: pos.Column}, Object: objectName(kind, data), Message: msg})
		return
	}
	accessor, err := meta.Accessor(obj)
	if err != nil {
		d.res.errors = append(d.res.errors, source.Problem{Location: d.locate(t, ""), Object: kind, Message: "object has no metadata: " + err.Error()})
		return
	}
	if path, reason, bad := rejected(obj); bad {
		d.res.errors = append(d.res.errors, source.Problem{Location: d.locate(t, path), Object: kind + "/" + accessor.GetName(), Message: reason})
		return
	}
	for _, s := range strict {
		path := strictErrorPath(s)
		d.res.warnings = append(d.res.warnings, source.Problem{Location: d.locate(t, path), Object: kind + "/" + accessor.GetName(), Message: strings.TrimPrefix(s.Error(), "json: ")})
	}
	d.res.read = true
	d.res.objects = append(d.res.objects, &inventory.Object{
		GVK:  gvk,
		Obj:  obj,
		Meta: accessor,
		Source: inventory.Source{
			File:       d.file,
			Document:   d.docIndex,
			Positions:  d.conv.index,
			PathPrefix: t.prefix,
		},
	})
}

func joinPath(prefix, path string) string {
	switch {
	case prefix == "":
		return path
	case path == "":
		return prefix
	default:
		return prefix + "." + path
	}
}

// decodeInto decodes JSON data as gvk: into the typed struct when the kind
// is built in, into Unstructured otherwise. Unknown and duplicate fields of
// typed objects come back as strict errors.
func decodeInto(gvk schema.GroupVersionKind, data []byte) (runtime.Object, []error, error) {
	if scheme.Scheme.Recognizes(gvk) {
		obj, err := scheme.Scheme.New(gvk)
		if err != nil {
			return nil, nil, err
		}
		strict, err := sigsjson.UnmarshalStrict(data, obj, sigsjson.DisallowUnknownFields)
		return obj, strict, err
	}
	if err := builtinKindError(gvk); err != nil {
		return nil, nil, err
	}
	var m map[string]any
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(data, &m); err != nil {
		return nil, nil, err
	}
	// Custom resources must still have well-formed metadata.
	var wrapper struct {
		Metadata metav1.ObjectMeta `json:"metadata"`
	}
	if err := sigsjson.UnmarshalCaseSensitivePreserveInts(data, &wrapper); err != nil {
		return nil, nil, err
	}
	return &unstructured.Unstructured{Object: m}, nil, nil
}

// objectName returns "Kind/name" for messages, reading the name leniently.
func objectName(kind string, data []byte) string {
	var m struct {
		Metadata struct {
			Name any `json:"name"`
		} `json:"metadata"`
	}
	_ = sigsjson.UnmarshalCaseSensitivePreserveInts(data, &m)
	if s, ok := m.Metadata.Name.(string); ok && s != "" {
		return kind + "/" + s
	}
	return kind
}

// locateError finds the node a decoding error is about, from the byte
// offset the JSON decoder reports. base is the offset of the decoded object
// in the document's JSON.
func (d *decoder) locateError(err error, base int32, prefix string) (position.Pos, string) {
	root, _ := d.conv.index.Node(prefix)
	te, ok := asTypeError(err)
	if !ok {
		return d.conv.index.Pos(max(root, 0)), ""
	}
	off := int32(te.offset) + base
	best := -1
	// The outermost node that ends where the decoder stopped is the value
	// it could not decode; failing that, the innermost node around it.
	for id, s := range d.conv.spans {
		if s[1] == off && (best < 0 || s[0] < d.conv.spans[best][0]) {
			best = id
		}
	}
	if best < 0 {
		for id, s := range d.conv.spans {
			if s[0] < off && s[1] >= off && (best < 0 || s[0] >= d.conv.spans[best][0]) {
				best = id
			}
		}
	}
	if best < 0 {
		return d.conv.index.Pos(max(root, 0)), ""
	}
	path := d.conv.index.PathOf(best)
	if prefix != "" {
		path = strings.TrimPrefix(strings.TrimPrefix(path, prefix), ".")
	}
	return d.conv.index.Pos(best), path
}

func describeDecodeError(err error, path string) string {
	if te, ok := asTypeError(err); ok {
		if path == "" {
			path = te.field
		}
		return fmt.Sprintf("field %s: found %s where Kubernetes expects %s", path, article(te.value), typeName(te.typ))
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func article(v string) string {
	switch {
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ")
	case v == "object" || v == "array":
		return "an " + v
	default:
		return "a " + v
	}
}

// typeName turns Go type names such as "[]v1.Container" into words.
func typeName(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list of " + typeName(t[2:])
	case strings.HasPrefix(t, "map[string]"):
		return "a map of " + typeName(t[len("map[string]"):])
	case strings.HasPrefix(t, "*"):
		return typeName(t[1:])
	case strings.Contains(t, "."):
		return "an object (" + t[strings.LastIndexByte(t, '.')+1:] + ")"
	case t == "string":
		return "a string"
	case t == "bool":
		return "a boolean"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		return "an integer (" + t + ")"
	case strings.HasPrefix(t, "float"):
		return "a number"
	default:
		return t
	}
}

var strictPath = regexp.MustCompile(`field "([^"]*)"`)

func strictErrorPath(err error) string {
	if m := strictPath.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return ""
}

// typeError holds the fields of the JSON decoder's UnmarshalTypeError.
// sigs.k8s.io/json keeps that type internal, so its exported fields are
// read by reflection.
type typeError struct {
	value, typ, field string
	offset            int64
}

func asTypeError(err error) (typeError, bool) {
	v := reflect.ValueOf(err)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct || v.Elem().Type().Name() != "UnmarshalTypeError" {
		return typeError{}, false
	}
	e := v.Elem()
	te := typeError{value: e.FieldByName("Value").String(), field: e.FieldByName("Field").String(), offset: e.FieldByName("Offset").Int()}
	if t, ok := e.FieldByName("Type").Interface().(reflect.Type); ok && t != nil {
		te.typ = t.String()
	}
	return te, true
}

// builtinKindError refuses a kind that a built-in API group/version does
// not have (such as a Deployment in v1), and a Kubernetes version that a
// built-in group never had (apps/v1beta3): the API server would reject them, and
// checks would silently skip them. Kinds of other groups are custom
// resources and are kept, and so are kinds of removed versions whose types
// left k8s.io/api (policy/v1beta1 PodSecurityPolicy): deprecated-api-version
// reports them.
func builtinKindError(gvk schema.GroupVersionKind) error {
	gv := gvk.GroupVersion()
	switch {
	case apilifecycle.Gone(gvk):
		return nil
	case scheme.Scheme.IsVersionRegistered(gv) || apilifecycle.GoneVersion(gv):
		return kindError(gvk)
	case scheme.Scheme.IsGroupRegistered(gvk.Group) && kubeVersion.MatchString(gvk.Version):
		group, preferred := "the core group", "v1"
		if gvk.Group != "" {
			group = gvk.Group
		}
		if versions := scheme.Scheme.PrioritizedVersionsForGroup(gvk.Group); len(versions) > 0 {
			preferred = versions[0].String()
		}
		msg := fmt.Sprintf("Kubernetes has no API version %s (%s is served as %s)", gv, group, preferred)
		return errors.New(msg + "; the API server would reject this document")
	}
	return nil
}

// kubeVersion is the form of Kubernetes API versions (v1, v2beta1,
// v1alpha3). Other versions of a built-in group are not Kubernetes'
// (kustomize's "builtin" transformers) and are kept as custom resources.
var kubeVersion = regexp.MustCompile(`^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$`)

// kindError says that gvk's version lacks its kind and where the kind is,
// naming the versions still served before removed ones.
func kindError(gvk schema.GroupVersionKind) error {
	var served, removed []string
	for known := range scheme.Scheme.AllKnownTypes() {
		if known.Kind != gvk.Kind || strings.HasSuffix(known.Kind, "Options") {
			continue
		}
		if s, ok := apilifecycle.Of(known); ok && s.RemovedBy(apilifecycle.Latest) {
			removed = append(removed, known.GroupVersion().String())
		} else {
			served = append(served, known.GroupVersion().String())
		}
	}
	homes := served
	if len(homes) == 0 {
		homes = removed
	}
	msg := fmt.Sprintf("Kubernetes has no kind %s in %s", gvk.Kind, gvk.GroupVersion())
	if len(homes) > 0 {
		slices.Sort(homes)
		msg += " (it is in " + strings.Join(homes, ", ") + ")"
	}
	return errors.New(msg + "; the API server would reject this document")
}
