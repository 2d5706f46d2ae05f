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

// PageLines are the lines bind and run print after Lines, one for each
// list whose pages were inferred: "listKeys pages = token /Marker, next
// /Marker, ... (reasons)". A list that does not page has none.
func (r *Result) PageLines() []string {
	var out []string
	for _, role := range spec.Roles {
		if n, ok := r.Note("pages." + string(role)); ok {
			out = append(out, fmt.Sprintf("%s pages = %s (%s)", role, n.Value, n.Reason))
		}
	}
	return out
}

// DataLines are the line bind and run print after PageLines when a data
// plane was inferred: "data = s3 (reasons)". None when none was (bind's
// unstated fields say so).
func (r *Result) DataLines() []string {
	if n, ok := r.Note("data"); ok && !n.Unstated {
		return []string{fmt.Sprintf("data = %s (%s)", n.Value, n.Reason)}
	}
	return nil
}

// Choice is how one role was settled: the winner and its score, and the
// nearest rival and its score. createKey's scores are its family's (see
// family); the other roles' are their own.
type Choice struct {
	Role       spec.Role
	Winner     string
	Score      float64
	Rival      string // "" when no other operation scored for the role
	RivalScore float64
	RivalWhy   string // why the rival could not play the role, if it could not
}

// Margins lists the scored roles in spec.Roles order; a role the overlay
// named, or one that was not settled, has none.
func (r *Result) Margins() []Choice {
	var out []Choice
	for _, role := range spec.Roles {
		n, ok := r.Note("operations." + string(role))
		if !ok || !n.scored {
			continue
		}
		out = append(out, Choice{Role: role, Winner: n.Value, Score: n.Score, Rival: n.Rival, RivalScore: n.RivalScore, RivalWhy: n.RivalWhy})
	}
	return out
}

// MarginTable is Margins as a Markdown table, one row per role.
func (r *Result) MarginTable() string {
	var b strings.Builder
	b.WriteString("| role | winner | score | nearest rival | score | margin |\n|---|---|---|---|---|---|\n")
	for _, m := range r.Margins() {
		rival, rs, margin := "(none)", "", ""
		if m.Rival != "" {
			rival, rs, margin = m.Rival, fmt.Sprintf("%.2f", m.RivalScore), fmt.Sprintf("%.2f", m.Score-m.RivalScore)
			if m.RivalWhy != "" {
				rival += " (not a candidate: " + m.RivalWhy + ")"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f | %s | %s | %s |\n", m.Role, m.Winner, m.Score, rival, rs, margin)
	}
	return b.String()
}

// Unstated lists the inferred fields the description cannot state and the
// overlay did not give: a default or an assumption each (the key limit, a
// required set-up member with no enum, default or example, a protocol's
// version on the wire), one line each, "field = value: reason".
func (r *Result) Unstated() []string {
	var out []string
	for _, n := range r.Notes {
		if !n.Unstated {
			continue
		}
		if rest, ok := strings.CutPrefix(n.Field, "request.fixed."); ok {
			role, member, _ := strings.Cut(rest, ".")
			if _, given := r.Binding.Request.Fixed[spec.Role(role)]["/"+member]; given {
				continue
			}
		}
		if n.Field == "wire.contentType" && r.Binding.Wire.ContentType != n.Value {
			continue
		}
		out = append(out, fmt.Sprintf("%s = %s: %s", n.Field, n.Value, n.Reason))
	}
	return out
}
