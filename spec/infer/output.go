package infer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/keycontract/keycontract/spec"
)

// JSON is the binding as {"x-keycontract": BINDING}, indented.
func (r *Result) JSON() ([]byte, error) {
	out, err := json.MarshalIndent(map[string]spec.Binding{spec.ExtensionName: r.Binding}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// YAML is the binding as an overlay file (-binding FILE), each inferred
// field preceded by a comment with its reason and runner-up.
func (r *Result) YAML(source string) ([]byte, error) {
	raw, err := json.Marshal(r.Binding)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil { // JSON is YAML, in order
		return nil, err
	}
	root := doc.Content[0]
	notes := map[string]*Note{}
	for i := range r.Notes {
		notes[r.Notes[i].Field] = &r.Notes[i]
	}
	used := map[string]bool{}
	var walk func(n *yaml.Node, path string, depth int)
	walk = func(n *yaml.Node, path string, depth int) {
		n.Style = 0
		switch n.Kind {
		case yaml.SequenceNode:
			n.Style = yaml.FlowStyle
			for _, c := range n.Content {
				c.Style = 0
			}
			return
		case yaml.MappingNode:
			if depth >= 3 {
				n.Style = yaml.FlowStyle
			}
		default:
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			k.Style = 0
			field := k.Value
			if path != "" {
				field = path + "." + k.Value
			}
			if note, ok := notes[field]; ok {
				k.HeadComment = comment(note)
				used[field] = true
			}
			walk(v, field, depth+1)
		}
	}
	walk(root, "", 0)
	var extra []string
	for _, n := range r.Notes {
		if !used[n.Field] {
			extra = append(extra, fmt.Sprintf("%s = %s: %s", n.Field, n.Value, comment(&n)))
		}
	}
	head := []string{
		"keycontract binding inferred from " + source + " (the document alone).",
		"Each field's comment gives the evidence that decided it, and the runner-up.",
		"Edit what is wrong and pass the file with -binding; fields you delete are inferred again.",
	}
	if len(extra) > 0 {
		head = append(head, "", "Also inferred:")
		head = append(head, extra...)
	}
	root.HeadComment = strings.Join(head, "\n")
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func comment(n *Note) string {
	s := n.Reason
	if n.RunnerUp != "" {
		s += " (runner-up: " + n.RunnerUp + ")"
	}
	return strings.ReplaceAll(s, "\n", " ")
}

// Lines are the per-role lines run prints: "createKey = POST /path (reasons)".
func (r *Result) Lines() []string {
	var out []string
	for _, role := range spec.Roles {
		n, ok := r.Note("operations." + string(role))
		if !ok {
			continue
		}
		out = append(out, fmt.Sprintf("%s = %s (%s)", role, r.Routes[role], n.Reason))
	}
	return out
}
