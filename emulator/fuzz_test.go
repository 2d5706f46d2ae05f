package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHandler feeds arbitrary targets and bodies to both dialects. It fails
// on a panic, a 5xx, a body that is not JSON, a response in the wrong
// dialect, or a response that carries the secret of a key it did not
// create. Seeds live in testdata/fuzz/FuzzHandler and below.
func FuzzHandler(f *testing.F) {
	f.Add("Lightsail_20161128.CreateBucketAccessKey", []byte(`{"bucketName":"fuzz-bucket"}`))
	f.Add("Lightsail_20161128.DeleteBucketAccessKey", []byte(`{"bucketName":"fuzz-bucket","accessKeyId":"AKIAAAAAAAAAAAAAAAAA"}`))
	f.Add("Lightsail_20161128.CreateBucket", []byte(`{"bucketName":"new-bucket","bundleId":"small_1_0","tags":[{"key":"k","value":"v"}],"enableObjectVersioning":true}`))
	f.Add("Lightsail_20161128.DeleteBucket", []byte(`{"bucketName":"fuzz-bucket","forceDelete":true}`))
	f.Add("Lightsail_20161128.GetBuckets", []byte(`{"includeCors":true}`))
	f.Add("Lightsail_20161128.GetBucketAccessKeys", []byte(`{"bucketName":"empty-bucket"}`))
	f.Add("GetBucketAccessKeys", []byte(`{"bucketName":1e999999}`))
	f.Add("", []byte(``))
	f.Add("Lightsail_20161128.CreateBucketAccessKey", append([]byte(`{"bucketName":"fuzz-bucket","pad":"`), bytes.Repeat([]byte("a"), 4<<10)...))
	f.Add("Lightsail_20161128.CreateBucketAccessKey", []byte(strings.Repeat("[", 20000)))

	f.Fuzz(func(t *testing.T, target string, body []byte) {
		targets := []string{target}
		if !strings.HasPrefix(target, TargetPrefix) {
			targets = append(targets, TargetPrefix+target)
		}
		for _, d := range []string{DialectAWS, DialectEnvelope} {
			for _, tg := range targets {
				checkFuzzExchange(t, d, tg, body)
			}
		}
	})
}

func checkFuzzExchange(t *testing.T, dialect, target string, body []byte) {
	s, err := New(Options{Dialect: dialect})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"fuzz-bucket", "empty-bucket"} {
		if err := s.AddBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	_, foreign, err := s.AddKey("fuzz-bucket")
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)

	if rec.Code >= 500 {
		t.Fatalf("%s: status %d for target %q: %s", dialect, rec.Code, target, rec.Body.Bytes())
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s: response is not a JSON object: %v", dialect, err)
	}
	ct := rec.Header().Get("Content-Type")
	switch dialect {
	case DialectAWS:
		if ct != ctAWS {
			t.Fatalf("aws: content type %q", ct)
		}
		if rec.Code != http.StatusOK && (out["__type"] == nil || rec.Header().Get("X-Amzn-ErrorType") == "") {
			t.Fatalf("aws: error without a type: %s", rec.Body.Bytes())
		}
	case DialectEnvelope:
		if ct != ctEnvelope {
			t.Fatalf("envelope: content type %q", ct)
		}
		if (rec.Code == http.StatusOK) != (out["success"] == true) {
			t.Fatalf("envelope: status %d with success=%v", rec.Code, out["success"])
		}
	}
	if bytes.Contains(rec.Body.Bytes(), []byte(foreign)) {
		t.Fatalf("%s: response leaks the secret of a key it did not create", dialect)
	}
}
