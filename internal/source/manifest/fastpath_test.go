package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"

	"github.com/kube4c/kube4c/internal/position"
	"github.com/kube4c/kube4c/internal/source/fastyaml"
	"github.com/kube4c/kube4c/internal/testutil"
)

// slowConvert runs the yaml.v3 path of document up to the conversion.
func slowConvert(ch chunk) (conv *converted, apiVersion, kind string, err error) {
	root, err := parseYAML(ch.data)
	if err != nil {
		return nil, "", "", err
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, "", "", errors.New("empty document")
	}
	n := resolveAlias(root.Content[0])
	if n.Kind != yaml.MappingNode {
		return nil, "", "", errors.New("the document is a " + nodeKindName(n))
	}
	apiVersion, kind = typeOf(n)
	conv, err = convert(n, ch.line, len(ch.data))
	return conv, apiVersion, kind, err
}

// checkFastPath converts ch both ways and reports whether the fast path
// accepted it; when it did, both ways must give the same result.
func checkFastPath(t testing.TB, name string, ch chunk) bool {
	t.Helper()
	fast, ok := fastyaml.Convert(ch.data, ch.line, fastLimits(len(ch.data)))
	if !ok {
		return false
	}
	slow, apiVersion, kind, err := slowConvert(ch)
	if err != nil {
		t.Errorf("%s: the fast path accepts a document the yaml.v3 path rejects (%v):\n%s", name, err, ch.data)
		return true
	}
	if !bytes.Equal(fast.JSON, slow.json) {
		var f, s any
		_ = json.Unmarshal(fast.JSON, &f)
		_ = json.Unmarshal(slow.json, &s)
		how := "differ in bytes only"
		if !reflect.DeepEqual(f, s) {
			how = "differ"
		}
		t.Errorf("%s: JSON %s:\nfast: %s\nslow: %s\nYAML:\n%s", name, how, fast.JSON, slow.json, ch.data)
		return true
	}
	if !reflect.DeepEqual(fast.Index, slow.index) {
		t.Errorf("%s: position indexes differ:\nfast:\n%s\nslow:\n%s\nYAML:\n%s", name, dumpIndex(fast.Index), dumpIndex(slow.index), ch.data)
	}
	if !reflect.DeepEqual(fast.Spans, slow.spans) {
		t.Errorf("%s: spans differ:\nfast: %v\nslow: %v\nYAML:\n%s", name, fast.Spans, slow.spans, ch.data)
	}
	if fast.APIVersion != apiVersion || fast.Kind != kind {
		t.Errorf("%s: type %q %q, want %q %q", name, fast.APIVersion, fast.Kind, apiVersion, kind)
	}
	return true
}

func dumpIndex(ix *position.Index) string {
	var b strings.Builder
	ix.Walk(func(id int, path string) bool {
		fmt.Fprintf(&b, "  %d %q %v\n", id, path, ix.Pos(id))
		return true
	})
	return b.String()
}

// TestFastPathCorpus checks the fast path against the yaml.v3 path on
// every document of the corpus, and on the documents under the directories
// listed in KUBE4C_FASTPATH_DIRS (such as a benchmark set).
func TestFastPathCorpus(t *testing.T) {
	corpusDir := testutil.CorpusDir(t)
	sets := []struct {
		name string
		dirs []string
		min  float64 // least fraction of the objects the fast path must take
	}{
		{"corpus", []string{filepath.Join(corpusDir, "real"), filepath.Join(corpusDir, "psa", "testdata")}, 0.95},
	}
	if extra := os.Getenv("KUBE4C_FASTPATH_DIRS"); extra != "" {
		sets = append(sets, struct {
			name string
			dirs []string
			min  float64
		}{"KUBE4C_FASTPATH_DIRS", filepath.SplitList(extra), 0})
	}
	for _, set := range sets {
		// Documents, the mappings among them that yaml.v3 converts, and
		// those the fast path takes (which yaml.v3 must convert too).
		var docs, objects, taken int
		for _, dir := range set.dirs {
			err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !HasExtension(path) {
					return err
				}
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				doc := 0
				return splitDocuments(bytes.NewReader(data), MaxDocumentBytes, func(ch chunk) bool {
					doc++
					docs++
					if checkFastPath(t, fmt.Sprintf("%s#%d", path, doc), ch) {
						taken++
						objects++
					} else if _, _, _, err := slowConvert(ch); err == nil {
						objects++
					}
					return true
				})
			})
			if err != nil {
				t.Fatalf("reading %s: %v", dir, err)
			}
		}
		if objects == 0 {
			t.Fatalf("%s: no documents found", set.name)
		}
		share := float64(taken) / float64(objects)
		t.Logf("%s: the fast path took %d of %d documents, of the %d mappings yaml.v3 converts %.2f%%",
			set.name, taken, docs, objects, 100*share)
		if share < set.min {
			t.Errorf("%s: the fast path took %.2f%% of the mappings, want at least %.0f%%", set.name, 100*share, 100*set.min)
		}
	}
}

// fastPathCases are hand-written documents, each with what the fast path
// must do: take it (and agree with yaml.v3), decline it, or either.
var fastPathCases = []struct {
	name, yaml string
	want       string // "take", "decline" or "either"
}{
	{"simple", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n", "take"},
	{"document start", "---\napiVersion: v1\nkind: Pod\n", "take"},
	{"document start comment", "--- # first\napiVersion: v1\n", "take"},
	{"no final newline", "a: b\nc: d", "take"},
	{"literal", "a: |\n  line 1\n  line 2\nb: 1\n", "take"},
	{"literal strip", "a: |-\n  line 1\n  line 2\n\n\nb: 1\n", "take"},
	{"literal keep", "a: |+\n  line 1\n  line 2\n\n\nb: 1\n", "take"},
	{"literal keep at end", "a: |+\n  x\n\n", "take"},
	{"literal no newline at end", "a: |\n  x", "take"},
	{"literal indentation indicator", "a: |2\n    indented\n  less\nb: 1\n", "take"},
	{"literal indicator and chomp", "a: |2-\n    x\n\nb: 1\n", "take"},
	{"literal chomp and indicator", "a: |-2\n    x\n\nb: 1\n", "take"},
	{"literal leading empty lines", "a: |\n\n\n  x\n", "take"},
	{"literal more-indented lines", "a: |\n  x\n    y\n  z\n", "take"},
	{"literal comment header", "a: | # text follows\n  x\n", "take"},
	{"literal with hash lines", "a: |\n  # not a comment\n  x\n# a comment\nb: 1\n", "take"},
	{"literal empty", "a: |\nb: 1\n", "take"},
	{"literal whitespace line", "a: |\n  x\n     \n  y\n", "take"},
	{"literal deeper first empty line", "a: |\n     \n  x\n", "either"},
	{"folded", "a: >\n  one\n  two\n\n  three\n    indented\n  four\n", "take"},
	{"folded strip", "a: >-\n  one\n  two\n", "take"},
	{"folded keep", "a: >+\n  one\n  two\n\n", "take"},
	{"block in sequence", "a:\n- |\n  x\n- >-\n  y\n  z\n", "take"},
	{"block in compact mapping", "a:\n- b: |\n    x\n  c: 1\n", "take"},
	{"block tab after auto-detected indentation", "a: |\n  \tx\n", "either"},
	{"block tab in content", "a: |\n  x\n  \ty\n", "take"},
	{"block zero indicator", "a: |0\n  x\n", "decline"},
	{"single quoted", "a: 'it''s'\n", "take"},
	{"double quoted escapes", `a: "tab\there \"q\" \\ \x41 \u00e9 \U0001F600 \0 \e \N \_ \L \P \/"` + "\n", "either"},
	{"double quoted known escapes", `a: "tab\there \"q\" \\ \x41 \u00e9 \U0001F600 \0 \e \N \_ \L \P \a\b\v\f\r\n \ "` + "\n", "take"},
	{"double quoted bad escape", `a: "\q"` + "\n", "decline"},
	{"double quoted surrogate", `a: "\ud800"` + "\n", "decline"},
	{"multi-line double quoted", "a: \"one\n  two\n\n  three \\\n  four\"\nb: 1\n", "take"},
	{"multi-line single quoted", "a: 'one\n  two\n\n\n  three'\nb: 1\n", "take"},
	{"quoted trailing space before break", "a: 'one   \n  two'\n", "take"},
	{"quoted escaped break then empty lines", "a: \"one\\\n\n\n  two\"\n", "take"},
	{"quoted continuation at column 0", "a: 'one\ntwo'\n", "decline"},
	{"comment after value", "a: b # comment\nc: 'd' # comment\ne: [f] # comment\n", "take"},
	{"hash inside value", "a: b#c\nd: 'e # f'\n", "take"},
	{"keys with colons in quotes", "'a: b': 1\n\"c:d\": 2\n", "take"},
	{"key with colon", "a:b: 1\nhttp://x: 2\n", "take"},
	{"key with spaces before colon", "a  : 1\n", "take"},
	{"nested sequences", "a:\n- - x\n  - y\n- - - z\n", "take"},
	{"empty values", "a:\nb: \nc: # comment\nd:\n  - \n  -\n  - x\n", "take"},
	{"empty items", "a:\n-\n- \n-\n", "take"},
	{"indentless sequence", "a:\n- x\n- y\nb:\n- z\n", "take"},
	{"sequence of mappings", "a:\n  - name: x\n    value: 1\n  - name: y\n", "take"},
	{"compact mapping wide", "a:\n-   b: 1\n    c: 2\n", "take"},
	{"crlf", "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: a\r\nb: |\r\n  x\r\n  y\r\nc: 'p\r\n  q'\r\n", "take"},
	{"lone cr", "a: b\rc: d\n", "decline"},
	{"scalar types", "a: yes\nb: 0755\nc: 1e3\nd: ~\ne: .5\nf: 08\ng: 0x1F\nh: 0o17\ni: 0b101\nj: 1_000\nk: -0\nl: +12\nm: 1.0\nn: True\no: FALSE\np: Null\nq: NULL\nr: nULL\ns: 2024-01-02\nt: 12:30\nu: -.5\nv: 99999999999999999999\nw: 1e999\nx: .\ny: -.\nz: 0.0.1\n", "take"},
	{"quoted scalar types", "a: 'yes'\nb: \"0755\"\nc: '~'\nd: \"\"\n", "take"},
	{"infinity", "a: .inf\n", "decline"},
	{"nan", "a: .NaN\n", "decline"},
	{"int too large", "a: 0x1FFFFFFFFFFFFFFFFF\n", "either"},
	{"timestamp kind", "apiVersion: 2024-01-02\nkind: Pod\n", "take"},
	{"int kind", "apiVersion: v1\nkind: 1\n", "take"},
	{"multi-line plain", "a: one\n  two\n\n  three\nb: x\n  - y\n", "take"},
	{"multi-line plain comment", "a: one\n  two # c\nb: 1\n", "take"},
	{"multi-line plain in sequence", "a:\n- one\n  two\n- three\n four\n", "take"},
	{"plain value with colon", "a: b: c\n", "decline"},
	{"plain continuation with colon", "a: b\n  c: d\n", "decline"},
	{"value after comment line", "a: b\n  # c\n  d\n", "decline"},
	{"flow sequences", "a: [x, \"y\", 'z', 1, true, null]\nb: []\nc: {}\nd: {e: f, 'g': [h]}\ne: [[], {}]\n", "take"},
	{"flow json style", `a: {"b":"c", "d": [1, 2]}` + "\n", "take"},
	{"flow multi-line", "a: [x,\n  y]\n", "decline"},
	{"flow trailing comma", "a: [x, ]\n", "decline"},
	{"flow plain with space", "a: [x y]\n", "decline"},
	{"anchor and alias", "a: &x 1\nb: *x\n", "decline"},
	{"tag", "a: !!str 1\n", "decline"},
	{"merge key", "a: &x {b: 1}\nc:\n  <<: *x\n", "decline"},
	{"quoted merge key", "'<<': 1\n", "take"},
	{"complex key", "? a\n: b\n", "decline"},
	{"directive", "%YAML 1.2\n---\na: b\n", "decline"},
	{"tab indentation", "a:\n\tb: c\n", "decline"},
	{"tab after colon", "a:\tb\n", "decline"},
	{"tab inside value", "a: b\tc\n", "take"},
	{"duplicate key", "a: 1\na: 2\n", "decline"},
	{"item of a List read item by item", "  apiVersion: v1\n  kind: Pod\n  metadata:\n    name: a\n  spec:\n    containers:\n    - name: c\n", "take"},
	{"item with its dash on a line of its own", "  \n    apiVersion: v1\n    kind: Pod\n", "take"},
	{"JSON value", `{"apiVersion": "v1", "kind": "Pod"}`, "decline"},
	{"duplicate nested key", "a:\n  b: 1\n  b: 2\n", "decline"},
	{"bad indentation", "a:\n  b: 1\n c: 2\n", "decline"},
	{"sequence then key", "a:\n  - x\n  b: 1\n", "decline"},
	{"scalar root", "just text\n", "decline"},
	{"sequence root", "- a\n- b\n", "decline"},
	{"empty", "", "decline"},
	{"comments only", "# nothing\n", "decline"},
	{"indented root", "  a: 1\n  b: 2\n", "take"},
	{"document end marker", "a: 1\n...\n", "decline"},
	{"unicode", "näme: wört\nb: [ä, 'ö']\nc:\n- ü\n-\n", "either"},
	{"unicode positions", "é: x\nb: 'é'\nc:\n  - é: 1\n    f: ['é', g, {'ö': 'ü'}]\n    -: null\n", "take"},
	{"BOM inside", "a: \ufeffb\n", "decline"},
	{"control character", "a: \x01\n", "decline"},
	{"long key", "a" + strings.Repeat("b", 1100) + ": 1\n", "decline"},
	{"value on next line", "a:\n  b\nc:\n  'd'\ne:\n  |\n   f\n", "take"},
	{"deep", strings.Repeat("- ", 300) + "x\n", "decline"},
	{"sequence item comment", "a:\n- # c\n  - b\n", "take"},
	{"quoted key spaces", "'a' : 1\n", "take"},
	{"dash values", "a: -1\nb: --x\nc: -x\n", "take"},
	{"colon values", "a: :x\nb: ?y\n", "take"},
	{"reserved start", "a: @x\n", "decline"},
	{"kind list", "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n", "take"},
	{"plain continuation like an entry", "a:\n- b\n  - c\nd: e\n  - f\n", "take"},
	{"plain continuation like a quote", "a: b\n  'c' [d] &e *f !g |h\n", "take"},
	{"depth at the limit", nested(MaxDepth), "take"},
	{"depth over the limit", nested(MaxDepth + 1), "decline"},
	{"document start tab", "---\t\na: 1\n", "either"},
	{"document start content", "--- a: 1\n", "decline"},
	{"block scalar keeps hash at end", "a: |\n  x\n  # y\n", "take"},
	{"many keys", manyKeys(40), "take"},
	{"many keys with a duplicate", manyKeys(40) + "k7: again\n", "decline"},
}

// nested returns a document whose deepest node is at depth.
func nested(depth int) string {
	var b strings.Builder
	for i := 0; i < depth; i++ {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	return b.String() + strings.Repeat(" ", depth) + "x\n"
}

func manyKeys(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "k%d: %d\n", i, i)
	}
	return b.String()
}

func TestFastPathCases(t *testing.T) {
	for _, c := range fastPathCases {
		t.Run(c.name, func(t *testing.T) {
			took := checkFastPath(t, c.name, chunk{data: []byte(c.yaml), line: 3})
			switch {
			case c.want == "take" && !took:
				t.Errorf("the fast path declined:\n%s", c.yaml)
			case c.want == "decline" && took:
				t.Errorf("the fast path took:\n%s", c.yaml)
			}
		})
	}
}

// FuzzFastPath checks that the fast path never panics and, when it takes a
// document, agrees with the yaml.v3 path.
func FuzzFastPath(f *testing.F) {
	for _, c := range fastPathCases {
		f.Add([]byte(c.yaml))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		checkFastPath(t, "input", chunk{data: data, line: 1})
	})
}
