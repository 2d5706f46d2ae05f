package spec

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// The query wire's XML parser: the element tree of a reply, which
// wire_query_xml.go decodes as its schema says.

// element is a parsed XML element.
type element struct {
	name     string
	text     string // its character data, every piece of it in order
	children []*element
}

var errNoRoot = errors.New("XML: no root element")

// parseXML reads the element tree of a well-formed document. The plain
// XML that AWS query endpoints send is scanned directly (scanXML); any
// document that scan does not take, well-formed or not, goes through
// encoding/xml (tokenXML), which also says what is wrong with it.
func parseXML(body []byte) (*element, error) {
	if root, ok := scanXML(body); ok {
		return root, nil
	}
	return tokenXML(body)
}

// tokenXML reads the element tree with encoding/xml.
func tokenXML(body []byte) (*element, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	var stack []*element
	var root *element
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if root != nil && len(stack) == 0 {
				return nil, errors.New("XML: more than one root element")
			}
			el := &element{name: t.Name.Local}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.children = append(parent.children, el)
			} else {
				root = el
			}
			stack = append(stack, el)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			} else if len(bytes.TrimSpace(t)) > 0 {
				return nil, errors.New("XML: text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, errNoRoot
	}
	if len(stack) > 0 {
		return nil, io.ErrUnexpectedEOF
	}
	return root, nil
}

// scanXML reads the element tree of a document in the subset of XML that
// AWS query replies use, the tree tokenXML would read, without
// encoding/xml's allocations per token: names and text are substrings of
// one copy of the body. It takes only what it is sure encoding/xml
// accepts and reads the same way, and reports false for anything else:
// an XML declaration other than version 1.0 in UTF-8 at the very start, a
// comment, CDATA, DOCTYPE or processing instruction, an entity or
// character reference, a carriage return (which XML normalises), a byte
// outside printable ASCII, tab and newline, a "]]>" or any ">" in text,
// a name with more than one colon or one at either end, an end tag that
// does not match, text outside the root, a second root, or an unfinished
// document.
func scanXML(body []byte) (*element, bool) {
	s := string(body)
	i := 0
	for _, decl := range []string{`<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version="1.0" encoding="utf-8"?>`, `<?xml version="1.0"?>`} {
		if strings.HasPrefix(s, decl) {
			i = len(decl)
			break
		}
	}
	var stack []*element
	var qnames []string // the names of stack's elements as written
	var root *element
	for i < len(s) {
		if s[i] != '<' {
			start := i
			for i < len(s) && s[i] != '<' {
				if c := s[i]; c == '&' || c == '>' || c == '\r' || c >= 0x7f || c < 0x20 && c != '\t' && c != '\n' {
					return nil, false
				}
				i++
			}
			if len(stack) == 0 {
				if strings.Trim(s[start:i], " \t\n") != "" {
					return nil, false
				}
				continue
			}
			el := stack[len(stack)-1]
			if el.text == "" {
				el.text = s[start:i]
			} else {
				el.text += s[start:i]
			}
			continue
		}
		i++ // '<'
		if i < len(s) && s[i] == '/' {
			name, j, ok := scanName(s, i+1)
			if !ok || len(stack) == 0 || qnames[len(qnames)-1] != name {
				return nil, false
			}
			j = skipSpace(s, j)
			if j >= len(s) || s[j] != '>' {
				return nil, false
			}
			i = j + 1
			stack, qnames = stack[:len(stack)-1], qnames[:len(qnames)-1]
			continue
		}
		name, j, ok := scanName(s, i)
		if !ok || root != nil && len(stack) == 0 {
			return nil, false
		}
		el := &element{name: name}
		if _, local, prefixed := strings.Cut(name, ":"); prefixed {
			el.name = local
		}
		// Attributes, which the tree does not keep: name="value" or
		// name='value', each value without '<', '&' or anything but
		// printable ASCII, tab and newline.
		closed := false
		for {
			j = skipSpace(s, j)
			if j >= len(s) {
				return nil, false
			}
			if s[j] == '>' {
				j++
				break
			}
			if s[j] == '/' {
				if j+1 >= len(s) || s[j+1] != '>' {
					return nil, false
				}
				j, closed = j+2, true
				break
			}
			if _, j, ok = scanName(s, j); !ok {
				return nil, false
			}
			j = skipSpace(s, j)
			if j >= len(s) || s[j] != '=' {
				return nil, false
			}
			j = skipSpace(s, j+1)
			if j >= len(s) || s[j] != '"' && s[j] != '\'' {
				return nil, false
			}
			quote := s[j]
			for j++; j < len(s) && s[j] != quote; j++ {
				if c := s[j]; c == '<' || c == '&' || c == '\r' || c >= 0x7f || c < 0x20 && c != '\t' && c != '\n' {
					return nil, false
				}
			}
			if j >= len(s) {
				return nil, false
			}
			j++ // the closing quote
		}
		i = j
		if len(stack) > 0 {
			parent := stack[len(stack)-1]
			parent.children = append(parent.children, el)
		} else {
			root = el
		}
		if !closed {
			stack, qnames = append(stack, el), append(qnames, name)
		}
	}
	if root == nil || len(stack) > 0 {
		return nil, false
	}
	return root, true
}

// scanName reads an XML name in ASCII at s[i:] (a letter or '_', then
// letters, digits, '_', '.' and '-', with at most one ':' between two
// parts) and returns it and the index after it.
func scanName(s string, i int) (string, int, bool) {
	start := i
	if i >= len(s) || !(s[i] >= 'A' && s[i] <= 'Z' || s[i] >= 'a' && s[i] <= 'z' || s[i] == '_') {
		return "", i, false
	}
	colons := 0
	for i < len(s) {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' {
			i++
			continue
		}
		if c == ':' {
			colons++
			i++
			continue
		}
		break
	}
	name := s[start:i]
	if colons > 1 {
		return "", i, false
	}
	if _, local, ok := strings.Cut(name, ":"); ok && (local == "" || !(local[0] >= 'A' && local[0] <= 'Z' || local[0] >= 'a' && local[0] <= 'z' || local[0] == '_')) {
		return "", i, false
	}
	return name, i, true
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
		i++
	}
	return i
}
