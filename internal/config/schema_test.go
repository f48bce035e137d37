package config_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/notarylint/notarylint/internal/config"
	"github.com/notarylint/notarylint/rules"
)

// TestSchemaExamples validates the configurations the docs show (the
// template, the template with its settings uncommented, the README's
// example) against the JSON Schema, and broken ones, so that the schema
// and the parser agree on both.
func TestSchemaExamples(t *testing.T) {
	raw, err := config.Schema(rules.All)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(config.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(config.SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	var uncommented strings.Builder
	for _, line := range strings.Split(config.Template, "\n") {
		if commentedYAML.MatchString(line) {
			uncommented.WriteString(strings.TrimPrefix(line, "# ") + "\n")
		}
	}
	good := map[string]string{"template": config.Template, "uncommented template": uncommented.String(), "README": readmeExample(t)}
	bad := map[string]string{
		"unknown key":     "rulez: {}\n",
		"unknown rule":    "rules:\n  disable: [no-such-rule]\n",
		"no reason":       "ignore:\n  - rule: NL1001\n",
		"bad severity":    "rules:\n  severity:\n    NL1001: fatal\n",
		"bad size":        "limits:\n  max-decompressed: lots\n",
		"bad date":        "ignore:\n  - rule: NL1001\n    reason: x\n    expires: soon\n",
		"non-integer max": "limits:\n  max-depth: 1.5\n",
	}
	for name, src := range good {
		if _, err := parse(t, src); err != nil {
			t.Errorf("%s: the parser rejects it: %v", name, err)
		}
		if err := sch.Validate(yamlToJSON(t, src)); err != nil {
			t.Errorf("%s: the schema rejects it: %v", name, err)
		}
	}
	for name, src := range bad {
		if _, err := parse(t, src); err == nil {
			t.Errorf("%s: the parser accepts it", name)
		}
		if err := sch.Validate(yamlToJSON(t, src)); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

// readmeExample returns the README's configuration example.
func readmeExample(t *testing.T) string {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```yaml\n# .notarylint.yaml\n")
	if !ok {
		t.Fatal("the README has no ```yaml block starting with # .notarylint.yaml")
	}
	example, _, _ := strings.Cut(rest, "```")
	return example
}

// yamlToJSON converts a YAML document to the JSON value the schema sees.
// Dates stay strings, as the parser reads them.
func yamlToJSON(t *testing.T, src string) any {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	if len(n.Content) == 0 {
		return nil
	}
	var conv func(*yaml.Node) any
	conv = func(n *yaml.Node) any {
		switch n.Kind {
		case yaml.MappingNode:
			m := map[string]any{}
			for i := 0; i+1 < len(n.Content); i += 2 {
				m[n.Content[i].Value] = conv(n.Content[i+1])
			}
			return m
		case yaml.SequenceNode:
			s := []any{}
			for _, c := range n.Content {
				s = append(s, conv(c))
			}
			return s
		case yaml.AliasNode:
			return conv(n.Alias)
		}
		if n.Tag == "!!timestamp" || n.Tag == "!!str" {
			return n.Value
		}
		var v any
		if err := n.Decode(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	b, err := json.Marshal(conv(n.Content[0]))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
