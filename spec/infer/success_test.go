package infer_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
	"github.com/keycontract/keycontract/spec"
	"github.com/keycontract/keycontract/spec/infer"
)

// TestInfersSuccessFromTheDescription: the description whose errors all
// answer 200 (each 200 a oneOf of a success and an error envelope, told
// apart by success), its x-keycontract removed, yields the written
// binding's success pointer, code, statuses, situations and server code,
// and the inferred binding passes every check against the endpoint that
// answers so (the envelope emulator with errors-with-200).
func TestInfersSuccessFromTheDescription(t *testing.T) {
	const file = "../testdata/envelope-errors-200.yaml"
	src := readFile(t, file)
	want, err := spec.Load(context.Background(), file, src, nil)
	require.NoError(t, err)
	res := inferred(t, file, src)
	require.NoError(t, res.Err())
	b := res.Binding
	assert.Equal(t, want.Binding.Operations, b.Operations)
	assert.Equal(t, want.Binding.Response, b.Response, "success: /success among the pointers")
	assert.Equal(t, want.Binding.Errors.Code, b.Errors.Code)
	assert.Equal(t, want.Binding.Errors.Statuses, b.Errors.Statuses, "every code under 200")
	assert.Equal(t, want.Binding.Errors.Accept, b.Errors.Accept)
	assert.Equal(t, want.Binding.Errors.Server, b.Errors.Server)
	n, ok := res.Note("response.success")
	require.True(t, ok)
	assert.Contains(t, n.Reason, "a success or an error envelope")

	doc, err := spec.LoadBound(file, parse(t, file, src), b)
	require.NoError(t, err)
	tgt, srv := targetWith(t, emulator.Options{Dialect: b.Dialect, Faults: []emulator.Fault{emulator.FaultErrorsWith200}}, doc)
	rep, err := contract.Check(context.Background(), tgt)
	require.NoError(t, err)
	for _, c := range rep.Checks {
		testutil.AssertPassed(t, b, c)
	}
	assert.Empty(t, srv.Snapshot(), "the run left buckets or keys behind")
}

// TestSuccessDeclaredOrNot: what declares that a 2xx may be an error, and
// what does not.
func TestSuccessDeclaredOrNot(t *testing.T) {
	for _, c := range []struct {
		name, reply string // the 200 reply's schema, in YAML
		want        string // response.success, "" for none
	}{
		{"oneOf told apart by success", `{oneOf: [{$ref: '#/components/schemas/Ok'}, {$ref: '#/components/schemas/Failed'}]}`, "/success"},
		{"anyOf, either order", `{anyOf: [{$ref: '#/components/schemas/Failed'}, {$ref: '#/components/schemas/Ok'}]}`, "/success"},
		{"a required boolean success", `{type: object, required: [success, key], properties: {success: {type: boolean}, key: {$ref: '#/components/schemas/Key'}}}`, "/success"},
		{"success always true", `{$ref: '#/components/schemas/Ok'}`, ""},
		{"success optional", `{type: object, required: [key], properties: {success: {type: boolean}, key: {$ref: '#/components/schemas/Key'}}}`, ""},
		{"oneOf told apart by another boolean", `{oneOf: [{$ref: '#/components/schemas/Fine'}, {$ref: '#/components/schemas/NotFine'}]}`, "/ok"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := infer.Infer(parse(t, c.name, []byte(successDoc(c.reply))), nil)
			require.NoError(t, err)
			require.NoError(t, res.Err())
			assert.Equal(t, c.want, res.Binding.Response.Success)
			assert.Equal(t, "/key", res.Binding.Response.Key, "the success branch is the reply the roles read")
		})
	}
}

// successDoc is a small REST key API whose create answers 200 with reply.
func successDoc(reply string) string {
	return `openapi: 3.0.3
info: {title: keys, version: '1'}
paths:
  /stores:
    post:
      operationId: createStore
      requestBody: {required: true, content: {application/json: {schema: {type: object, required: [name], properties: {name: {type: string}}}}}}
      responses: {'201': {description: created}}
    get:
      operationId: listStores
      responses: {'200': {description: the stores, content: {application/json: {schema: {type: object, properties: {stores: {type: array, items: {type: object, properties: {name: {type: string}}}}}}}}}}
  /stores/{name}:
    parameters: [{name: name, in: path, required: true, schema: {type: string}}]
    delete:
      operationId: deleteStore
      responses: {'204': {description: deleted}}
  /stores/{name}/keys:
    parameters: [{name: name, in: path, required: true, schema: {type: string}}]
    post:
      operationId: createKey
      responses:
        '200':
          description: the key, or an error
          content: {application/json: {schema: ` + reply + `}}
        '400': {description: VALIDATION_ERROR, content: {application/json: {schema: {$ref: '#/components/schemas/Failed'}}}}
        '404': {description: NOT_FOUND, content: {application/json: {schema: {$ref: '#/components/schemas/Failed'}}}}
    get:
      operationId: listKeys
      responses: {'200': {description: the keys, content: {application/json: {schema: {type: object, properties: {keys: {type: array, items: {$ref: '#/components/schemas/Listed'}}}}}}}}
  /stores/{name}/keys/{key_id}:
    parameters:
      - {name: name, in: path, required: true, schema: {type: string}}
      - {name: key_id, in: path, required: true, schema: {type: string}}
    delete:
      operationId: deleteKey
      responses: {'204': {description: deleted}}
components:
  schemas:
    Key: {type: object, required: [key_id, secret], properties: {key_id: {type: string}, secret: {type: string, format: password}}}
    Listed: {type: object, properties: {key_id: {type: string}}}
    Ok: {type: object, required: [success, key], properties: {success: {type: boolean, enum: [true]}, key: {$ref: '#/components/schemas/Key'}}}
    Failed: {type: object, required: [success, error], properties: {success: {type: boolean, enum: [false]}, error: {type: object, properties: {code: {type: string}}}}}
    Fine: {type: object, required: [ok, key], properties: {ok: {type: boolean, enum: [true]}, key: {$ref: '#/components/schemas/Key'}}}
    NotFine: {type: object, required: [ok, error], properties: {ok: {type: boolean, enum: [false]}, error: {type: object, properties: {code: {type: string}}}}}
`
}
