package spec

import (
	"context"
	"embed"
	"fmt"
	"sync"
)

//go:embed lightsail.yaml envelope.yaml rest.yaml iam.yaml
var bundled embed.FS

// Dialects are the names of the bundled descriptions, for -dialect.
var Dialects = []string{"aws", "envelope", "rest", "iam"}

var bundledFiles = map[string]string{"aws": "lightsail.yaml", "envelope": "envelope.yaml", "rest": "rest.yaml", "iam": "iam.yaml"}

// BundledSource returns the raw bytes of a bundled description.
func BundledSource(dialect string) ([]byte, error) {
	file, ok := bundledFiles[dialect]
	if !ok {
		return nil, fmt.Errorf("unknown dialect %q, want aws, envelope, rest or iam", dialect)
	}
	return bundled.ReadFile(file)
}

var bundledCache sync.Map // dialect -> *bundledEntry

type bundledEntry struct {
	once sync.Once
	doc  *Document
	err  error
}

// Bundled returns the bundled description of a dialect, loaded and validated
// once per process. Callers must treat the Document as read-only.
func Bundled(dialect string) (*Document, error) {
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
