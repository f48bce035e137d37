package config

import (
	"encoding/json"

	"github.com/notarylint/notarylint/analyzer"
)

// SchemaID is the $id of the configuration's JSON Schema.
const SchemaID = "https://github.com/notarylint/notarylint/blob/main/docs/notarylint.schema.json"

// Schema returns the JSON Schema (draft 2020-12) of .notarylint.yaml, with
// the IDs and names of the given rules as the valid rule references.
// docs/notarylint.schema.json is its output for every rule; a test keeps
// it current.
func Schema(rules []*analyzer.Rule) ([]byte, error) {
	var refs []string
	for _, r := range rules {
		refs = append(refs, r.ID, r.Name)
	}
	ruleRef := map[string]any{"type": "string", "enum": refs, "description": "a rule's ID (NL2001) or name (macho-unsigned)"}
	size := map[string]any{"oneOf": []any{
		map[string]any{"type": "integer", "minimum": 1},
		map[string]any{"type": "string", "pattern": `^ *[0-9]+ *([KMGT](iB|B)?)? *$`},
	}, "description": "bytes, or a size with a KiB, MiB, GiB or TiB suffix"}
	count := map[string]any{"type": "integer", "minimum": 1}
	schema := map[string]any{
		"$schema":              "https://json-schema.org/draft/2020-12/schema",
		"$id":                  SchemaID,
		"title":                "notarylint configuration (.notarylint.yaml)",
		"type":                 []string{"object", "null"},
		"additionalProperties": false,
		"$defs":                map[string]any{"rule": ruleRef, "size": size},
		"properties": map[string]any{
			"rules": map[string]any{
				"type": "object", "additionalProperties": false,
				"properties": map[string]any{
					"enable":  map[string]any{"type": "array", "items": map[string]any{"$ref": "#/$defs/rule"}, "description": "run only these rules"},
					"disable": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/$defs/rule"}, "description": "do not run these rules"},
					"severity": map[string]any{
						"type": "object", "propertyNames": map[string]any{"$ref": "#/$defs/rule"},
						"additionalProperties": map[string]any{"enum": []string{"error", "warning", "info"}},
						"description":          "a rule's severity instead of its default",
					},
				},
			},
			"ignore": map[string]any{
				"type": "array",
				"items": map[string]any{
					"type": "object", "additionalProperties": false, "required": []string{"rule", "reason"},
					"properties": map[string]any{
						"rule":    map[string]any{"$ref": "#/$defs/rule"},
						"path":    map[string]any{"type": "string", "minLength": 1, "description": "glob over finding paths: * within a segment, ** across segments"},
						"arch":    map[string]any{"type": "string", "minLength": 1, "description": "only findings of this architecture"},
						"reason":  map[string]any{"type": "string", "minLength": 1, "pattern": `\S`, "description": "why the findings are accepted"},
						"expires": map[string]any{"type": "string", "pattern": `^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, "description": "from this date the entry no longer applies"},
					},
				},
			},
			"limits": map[string]any{
				"type": "object", "additionalProperties": false,
				"properties": map[string]any{
					"max-depth": count, "max-entries": count, "max-ratio": count,
					"max-decompressed": map[string]any{"$ref": "#/$defs/size"},
					"max-memory-file":  map[string]any{"$ref": "#/$defs/size"},
				},
			},
		},
	}
	out, err := json.MarshalIndent(schema, "", "  ")
	return append(out, '\n'), err
}
