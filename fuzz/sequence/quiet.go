package sequence

import "fmt"

// quietTB runs rapid outside a Go test: it records the failure instead of
// ending a test.
type quietTB struct {
	failed bool
	msg    string
}

type failNow struct{}

func (q *quietTB) run(f func()) {
	defer func() {
		if p := recover(); p != nil {
			if _, ok := p.(failNow); !ok {
				panic(p)
			}
		}
	}()
	f()
}

func (*quietTB) Helper()                     {}
func (*quietTB) Name() string                { return "keycontract" }
func (*quietTB) Logf(string, ...any)         {}
func (*quietTB) Log(...any)                  {}
func (*quietTB) Skipf(string, ...any)        { panic(failNow{}) }
func (*quietTB) Skip(...any)                 { panic(failNow{}) }
func (*quietTB) SkipNow()                    { panic(failNow{}) }
func (q *quietTB) Errorf(f string, a ...any) { q.Error(fmt.Sprintf(f, a...)) }
func (q *quietTB) Error(a ...any) {
	q.failed = true
	if q.msg == "" {
		q.msg = fmt.Sprint(a...)
	}
}
func (q *quietTB) Fatalf(f string, a ...any) { q.Errorf(f, a...); q.FailNow() }
func (q *quietTB) Fatal(a ...any)            { q.Error(a...); q.FailNow() }
func (*quietTB) FailNow()                    { panic(failNow{}) }
func (q *quietTB) Fail()                     { q.failed = true }
func (q *quietTB) Failed() bool              { return q.failed }
