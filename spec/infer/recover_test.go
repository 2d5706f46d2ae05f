package infer_test

import (
	"context"
	"os"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/spec"
	"github.com/keycontract/keycontract/spec/infer"
)

// parse loads a description and drops its x-keycontract extension.
func parse(t *testing.T, name string, data []byte) *openapi3.T {
	t.Helper()
	doc, err := spec.Parse(context.Background(), name, data)
	require.NoError(t, err)
	delete(doc.Extensions, spec.ExtensionName)
	return doc
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return data
}

func inferred(t *testing.T, name string, data []byte) *infer.Result {
	t.Helper()
	res, err := infer.Infer(parse(t, name, data), nil)
	require.NoError(t, err)
	for _, n := range res.Notes {
		t.Logf("%-32s = %-40s # %s  [runner-up: %s]", n.Field, n.Value, n.Reason, n.RunnerUp)
	}
	return res
}
