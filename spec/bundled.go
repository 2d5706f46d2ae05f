package spec

import (
	"context"
	"embed"
	"fmt"
	"strings"
	"sync"
)

//go:embed lightsail.yaml envelope.yaml rest.yaml iam.yaml
var bundled embed.FS

// bundledFiles is the registry of bundled descriptions: one line per
// dialect, in -dialect's order (the first is the default).
var bundledFiles = []struct{ dialect, file string }{
	{"aws", "lightsail.yaml"},
	{"envelope", "envelope.yaml"},
	{"rest", "rest.yaml"},
	{"iam", "iam.yaml"},
}

// Dialects are the names of the bundled descriptions, for -dialect.
var Dialects = func() []string {
	names := make([]string, len(bundledFiles))
	for i, b := range bundledFiles {
		names[i] = b.dialect
	}
	return names
}()

// DefaultDialect is the bundled description -dialect names by default.
var DefaultDialect = bundledFiles[0].dialect

// BundledSource returns the raw bytes of a bundled description ("": the
// default's).
func BundledSource(dialect string) ([]byte, error) {
	if dialect == "" {
		dialect = DefaultDialect
	}
	for _, b := range bundledFiles {
		if b.dialect == dialect {
			return bundled.ReadFile(b.file)
		}
	}
	names := strings.Join(Dialects[:len(Dialects)-1], ", ") + " or " + Dialects[len(Dialects)-1]
	return nil, fmt.Errorf("unknown dialect %q, want %s", dialect, names)
}

var bundledCache sync.Map // dialect -> *bundledEntry

type bundledEntry struct {
	once sync.Once
	doc  *Document
	err  error
}

// Bundled returns the bundled description of a dialect ("": the default),
// loaded and validated once per process. Callers must treat the Document as
// read-only.
func Bundled(dialect string) (*Document, error) {
	if dialect == "" {
		dialect = DefaultDialect
	}
	v, _ := bundledCache.LoadOrStore(dialect, &bundledEntry{})
	e := v.(*bundledEntry)
	e.once.Do(func() {
		data, err := BundledSource(dialect)
		if err != nil {
			e.err = err
			return
		}
		e.doc, e.err = Load(context.Background(), "bundled:"+dialect, data, nil)
	})
	return e.doc, e.err
}
