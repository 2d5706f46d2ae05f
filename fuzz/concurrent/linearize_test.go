package concurrent

import (
	"strings"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/assert"
)

// Hand-built histories pin the model of paged reads: each page is an
// operation at its own instant; a page that is the whole list (the first,
// saying none follows) shows exactly the bucket's keys, and any other page
// shows keys the bucket holds, never "only these".

// at is an operation of client c over [call, ret] (in ms).
func at(c int, call, ret int64, in keyOp, out keyResult) porcupine.Operation {
	return porcupine.Operation{ClientId: c, Input: in, Output: out, Call: call * 1e6, Return: ret * 1e6}
}

func created(id string) keyResult { return keyResult{OK: true, ID: id} }

var (
	create  = keyOp{Kind: "create"}
	deleted = keyResult{OK: true}
)

func del(id string) keyOp { return keyOp{Kind: "delete", ID: id} }

// page is page n of a list read asking for size items a page.
func page(n, size int) keyOp { return keyOp{Kind: "list", Page: n, Size: size} }

// listed is a page's answer: ids, and whether more pages follow.
func listed(more bool, ids ...string) keyResult {
	return keyResult{OK: true, IDs: ids, More: more}
}

func linearizable(ops []porcupine.Operation, pre ...string) bool {
	return porcupine.CheckOperations(keyModel(2, pre), ops)
}

func TestPagedReadModel(t *testing.T) {
	cases := []struct {
		name  string
		pre   []string
		ops   []porcupine.Operation
		legal bool
	}{
		{"a page of two keys, more following, is a lower bound", []string{"A", "B"}, []porcupine.Operation{
			at(0, 0, 1, page(1, 1), listed(true, "A")),
			at(0, 2, 3, page(2, 1), listed(false, "B")),
		}, true},
		{"the whole list in one page is exact: one key of two is wrong", []string{"A", "B"}, []porcupine.Operation{
			at(0, 0, 1, page(1, 0), listed(false, "A")),
		}, false},
		{"the whole list in one page is exact: both keys", []string{"A", "B"}, []porcupine.Operation{
			at(0, 0, 1, page(1, 0), listed(false, "A", "B")),
		}, true},
		// Keys A, B; page 1 shows A and a marker past it; A is deleted; the
		// offset now skips B, and page 2 is empty. B was in the bucket
		// throughout and no page showed it: legal, each page a lower
		// bound. Taking the pages' union [A] as the content is not.
		{"a key deleted between pages shifts the next page", []string{"A", "B"}, []porcupine.Operation{
			at(0, 0, 1, page(1, 1), listed(true, "A")),
			at(1, 2, 3, del("A"), deleted),
			at(0, 4, 5, page(2, 1), listed(false)),
		}, true},
		{"a key created during the read shows on a later page", []string{"A"}, []porcupine.Operation{
			at(0, 0, 1, page(1, 1), listed(true, "A")),
			at(1, 2, 3, create, created("C")),
			at(0, 4, 5, page(2, 1), listed(false, "C")),
		}, true},
		{"a page showing a key deleted before it was asked for", []string{"A", "B"}, []porcupine.Operation{
			at(0, 0, 1, page(1, 1), listed(true, "A")),
			at(1, 2, 3, del("B"), deleted),
			at(0, 4, 5, page(2, 1), listed(false, "B")),
		}, false},
		{"a page showing a key never created", []string{"A"}, []porcupine.Operation{
			at(0, 0, 1, page(1, 1), listed(true, "A")),
			at(0, 2, 3, page(2, 1), listed(false, "Z")),
		}, false},
		{"a page overlapping a create may show the new key", []string{"A"}, []porcupine.Operation{
			at(1, 0, 10, create, created("C")),
			at(0, 2, 3, page(1, 1), listed(true, "C")),
		}, true},
		{"a third key on a page is still a third key", nil, []porcupine.Operation{
			at(1, 0, 1, create, created("A")),
			at(2, 0, 1, create, created("B")),
			at(0, 2, 3, page(1, 1), listed(true, "A")),
			at(3, 4, 5, create, created("C")),
		}, false},
		{"a lone later page that says it is the last is still a lower bound", []string{"A", "B"}, []porcupine.Operation{
			at(0, 0, 1, page(3, 1), listed(false, "B")),
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.legal, linearizable(tc.ops, tc.pre...))
		})
	}
}

// TestDescribePages: the visualisation and the failure message tell a
// whole list from a page of one.
func TestDescribePages(t *testing.T) {
	assert.Equal(t, "list() -> 2 keys [A B]", describeOp(page(1, 0), listed(false, "A", "B")))
	assert.Equal(t, "list page 1 (size 1) -> at least [A]; more follow", describeOp(page(1, 1), listed(true, "A")))
	assert.Equal(t, "list page 2 (size 1) -> at least []; last page", describeOp(page(2, 1), listed(false)))
	assert.Equal(t, "list page 2 -> unknown outcome", describeOp(page(2, 0), keyResult{Unknown: true}))
	assert.Equal(t, "delete(A) -> ok", describeOp(del("A"), deleted))
}

// TestPagedHistoryReport: a failing history that holds pages names them as
// pages in its message.
func TestPagedHistoryReport(t *testing.T) {
	ops := []porcupine.Operation{
		at(0, 0, 1, page(1, 1), listed(true, "A")),
		at(1, 2, 3, del("B"), deleted),
		at(0, 4, 5, page(2, 1), listed(false, "B")),
	}
	model := keyModel(2, []string{"A", "B"})
	res, info := porcupine.CheckOperationsVerbose(model, ops, time.Second)
	assert.Equal(t, porcupine.Illegal, res)
	var b strings.Builder
	assert.NoError(t, porcupine.Visualize(model, info, &b))
	// The page holds the descriptions as JSON, '>' escaped.
	want := strings.ReplaceAll("list page 2 (size 1) -> at least [B]; last page", ">", `\u003e`)
	assert.True(t, strings.Contains(b.String(), want), "the visualisation names the page: %s", want)
}
