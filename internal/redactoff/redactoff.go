// Package redactoff switches redaction off, for one purpose only: tests
// that prove their secret scans can fail. Nothing outside this module can
// import it, and nothing but tests sets it.
package redactoff

import "sync/atomic"

// Off, when true, makes every contract.Redactor return text unchanged and
// every withheld body written in full.
var Off atomic.Bool
