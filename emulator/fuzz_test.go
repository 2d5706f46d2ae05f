package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzHandler feeds arbitrary targets and bodies to every dialect (in
// iam: the body as a form, as is and behind Action=<target>). In rest
// the target is used as a path (as sent, and as one encoded segment in
// each parameter's place) with each method. It fails on a panic, a 5xx, a
// body that is not JSON, a response in the wrong dialect, or a response
// that carries the secret of a key it did not create. Seeds live in
// testdata/fuzz/FuzzHandler and below.
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
	f.Add("/v1/buckets/fuzz-bucket/access-keys", []byte(``))
	f.Add("/v1/buckets/a%2Fb/../%2E%2E/access-keys?forceDelete=yes#x", []byte(`{}`))
	f.Add("/v1/buckets?bucketName=%zz&bucketName=fuzz-bucket", []byte(`{"bucketName":"new-bucket","bundleId":"small_1_0"}`))
	f.Add("CreateAccessKey", []byte(`UserName=fuzz-bucket`))
	f.Add("DeleteAccessKey", []byte(`UserName=fuzz-bucket&AccessKeyId=EMUL0000000000000000`))
	f.Add("CreateUser", []byte(`UserName=u&Path=/a/&Tags.member.1.Key=k&Tags.member.1.Value=v&Tags.member.02.Key=x`))
	f.Add("ListUsers", []byte(`MaxItems=1&Marker=a2MxOjE&PathPrefix=/`))

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
		for _, form := range [][]byte{body, append([]byte("Action="+url.QueryEscape(target)+"&Version="+IAMVersion+"&"), body...)} {
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(form))
			req.Header.Set("Content-Type", ctForm)
			checkFuzzRequest(t, DialectIAM, req)
		}
		seg := pct(target)
		paths := []string{target, "/" + target, "/v1/buckets/" + seg, "/v1/buckets/" + seg + "/access-keys",
			"/v1/buckets/fuzz-bucket/access-keys/" + seg}
		for _, p := range paths {
			for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
				if req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(m + " " + p + " HTTP/1.1\r\nHost: x\r\n\r\n"))); err == nil {
					req.Body = io.NopCloser(bytes.NewReader(body))
					checkFuzzRequest(t, DialectREST, req)
				}
			}
		}
	})
}

func checkFuzzExchange(t *testing.T, dialect, target string, body []byte) {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/json")
	checkFuzzRequest(t, dialect, req)
}

func checkFuzzRequest(t *testing.T, dialect string, req *http.Request) {
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
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)

	if rec.Code >= 500 {
		t.Fatalf("%s: status %d for %s %q (target %q): %s", dialect, rec.Code, req.Method, req.URL, req.Header.Get("X-Amz-Target"), rec.Body.Bytes())
	}
	for _, vals := range rec.Header() {
		for _, v := range vals {
			if strings.Contains(v, foreign) {
				t.Fatalf("%s: a response header leaks the secret of a key it did not create", dialect)
			}
		}
	}
	if dialect == DialectIAM {
		checkFuzzIAM(t, rec, foreign)
		return
	}
	if dialect == DialectREST && rec.Code == http.StatusNoContent {
		if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "" {
			t.Fatalf("rest: a 204 with a body or content type")
		}
		return
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
	case DialectEnvelope, DialectREST:
		if ct != ctEnvelope {
			t.Fatalf("%s: content type %q", dialect, ct)
		}
		if (rec.Code/100 == 2) != (out["success"] == true) {
			t.Fatalf("%s: status %d with success=%v", dialect, rec.Code, out["success"])
		}
		if dialect == DialectEnvelope && out["success"] == true && rec.Code != http.StatusOK {
			t.Fatalf("envelope: success with status %d", rec.Code)
		}
	}
	if bytes.Contains(rec.Body.Bytes(), []byte(foreign)) {
		t.Fatalf("%s: response leaks the secret of a key it did not create", dialect)
	}
}

// checkFuzzIAM: an iam answer is text/xml, parses, and is an
// ErrorResponse exactly when it is not a 200.
func checkFuzzIAM(t *testing.T, rec *httptest.ResponseRecorder, foreign string) {
	if ct := rec.Header().Get("Content-Type"); ct != ctXML {
		t.Fatalf("iam: content type %q", ct)
	}
	body := xmlToMap(rec.Body.Bytes())
	if body == nil {
		t.Fatalf("iam: response is not XML: %q", rec.Body.Bytes())
	}
	_, isErr := body["ErrorResponse"]
	if isErr != (rec.Code != http.StatusOK) {
		t.Fatalf("iam: status %d with body %s", rec.Code, rec.Body.Bytes())
	}
	if rec.Header().Get("X-Amzn-Requestid") == "" {
		t.Fatalf("iam: no request id")
	}
	if bytes.Contains(rec.Body.Bytes(), []byte(foreign)) {
		t.Fatalf("iam: response leaks the secret of a key it did not create")
	}
}
