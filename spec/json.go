package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// JSON bodies, for the wires that send or receive them.

// jsonBody takes op's body schema from its JSON request body, and its
// content type on the wire, for wires whose requests carry JSON.
func (d *Document) jsonBody(op *Operation) error {
	body := op.Route.Operation.RequestBody
	op.ContentType = d.Binding.Wire.ContentType
	if body == nil || body.Value == nil {
		if op.ContentType == "" {
			op.ContentType = "application/json"
		}
		return nil
	}
	op.BodyRequired = body.Value.Required
	for mt, c := range body.Value.Content {
		if !strings.Contains(mt, "json") {
			continue
		}
		op.MediaType = mt
		if c.Schema != nil {
			op.Request = c.Schema.Value
		}
		break
	}
	if op.MediaType == "" {
		return fmt.Errorf("%s: the request body declares no JSON media type", op.ID)
	}
	if op.ContentType == "" {
		op.ContentType = op.MediaType
	}
	if op.Method != http.MethodPost && op.Method != http.MethodPut && op.Method != http.MethodPatch {
		return fmt.Errorf("%s: method %s cannot carry a JSON body", op.ID, op.Method)
	}
	return nil
}

// decodeJSON decodes a JSON body, numbers as json.Number. Trailing data
// after the value is an error.
func decodeJSON(body []byte) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errTrailing
	}
	return v, nil
}

var errTrailing = jsonError("trailing data after the JSON value")

type jsonError string

func (e jsonError) Error() string { return string(e) }
