package infer

import (
	"github.com/keycontract/keycontract/spec"
)

// restRule is spec's rest wire: every operation its description names by
// neither a header nor a form member is addressed by its own method and
// path, which then say what it does.
type restRule struct{ baseRule }

func (*restRule) route(x *op) string { return x.method + " " + x.tmpl }

func (*restRule) target(x *inference, ck *op) {
	x.r.Binding.Protocol = spec.ProtocolREST
	x.r.note("protocol", "rest", "no target header or Action: "+ck.id+" is addressed by "+route(ck))
}

func (w *restRule) differences(x *inference, _ *op, _ string) { x.noteDialect(w.dialect()) }

func (*restRule) dialect() string { return "rest" }

// unknownOperation: an unknown route may be answered not found.
func (*restRule) unknownOperation(accept map[spec.Situation][]string) ([]string, string) {
	return accept[spec.NotFound], " and not-found (an unknown route)"
}
