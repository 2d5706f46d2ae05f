package contract_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract"
	"github.com/keycontract/keycontract/emulator"
	"github.com/keycontract/keycontract/internal/testutil"
)

// respelledXML serves a correct iam emulator (SigV4 as target() sets it
// up) through rewrite, which may change a response's body and headers;
// pageSize, when not 0, is the most items the emulator puts on a page.
func respelledXML(t *testing.T, rewrite func(body []byte, h http.Header) []byte, pageSize int) contract.Target {
	t.Helper()
	tgt, _ := target(t, "iam")
	srv, err := emulator.New(emulator.Options{Dialect: "iam", Credentials: map[string]string{testutil.KeyID: testutil.Secret}, PageSize: pageSize})
	require.NoError(t, err)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if rewrite != nil {
			body = rewrite(body, rec.Header())
		}
		for k, vs := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = vs
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(body)
	}))
	t.Cleanup(ts.Close)
	tgt.Endpoint = ts.URL
	return tgt
}

var (
	wholeSecond = regexp.MustCompile(`(T\d{2}:\d{2}:\d{2})Z<`)
	members     = regexp.MustCompile(`(?s)<AccessKeyMetadata>(.*?)</AccessKeyMetadata>`)
	member      = regexp.MustCompile(`(?s)<member>.*?</member>`)
)

// TestNoFalseAlarmsIAM: correct IAM endpoints that spell the wire as IAM
// and moto do pass every check.
func TestNoFalseAlarmsIAM(t *testing.T) {
	cases := []struct {
		name     string
		rewrite  func([]byte, http.Header) []byte
		pageSize int
	}{
		{"timestamps with microseconds", func(b []byte, _ http.Header) []byte {
			return wholeSecond.ReplaceAll(b, []byte("${1}.123456Z<"))
		}, 0},
		{"unknown elements (moto's lowercase message)", func(b []byte, _ http.Header) []byte {
			s := regexp.MustCompile(`<Message>(.*?)</Message>`).ReplaceAllString(string(b), "<Message>$1</Message><message>$1</message>")
			s = strings.ReplaceAll(s, "</member>", "<KeycontractUnknown><Nested>x</Nested></KeycontractUnknown></member>")
			return []byte(strings.ReplaceAll(s, "</ResponseMetadata>", "<HostId>h</HostId></ResponseMetadata>"))
		}, 0},
		{"another namespace declaration", func(b []byte, _ http.Header) []byte {
			s := strings.ReplaceAll(string(b), ` xmlns="https://iam.amazonaws.com/doc/2010-05-08/"`, ` xmlns="https://iam.amazonaws.com/doc/2010-05-08" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`)
			return []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + s)
		}, 0},
		{"text/xml; charset=utf-8", func(b []byte, h http.Header) []byte {
			h.Set("Content-Type", "text/xml; charset=utf-8")
			return b
		}, 0},
		{"keys listed in reverse order", func(b []byte, _ http.Header) []byte {
			return members.ReplaceAllFunc(b, func(list []byte) []byte {
				items := member.FindAll(list, -1)
				var out []byte
				for i := len(items) - 1; i >= 0; i-- {
					out = append(out, items[i]...)
				}
				return []byte("<AccessKeyMetadata>" + string(out) + "</AccessKeyMetadata>")
			})
		}, 0},
		// Every list answers one item a page, whatever MaxItems asks:
		// the harness follows Marker to the end.
		{"paginates with MaxItems", nil, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tgt := respelledXML(t, tc.rewrite, tc.pageSize)
			rep, err := contract.Check(context.Background(), tgt)
			require.NoError(t, err)
			assert.NoError(t, rep.Err())
			assert.Zero(t, rep.Summary.Failed)
		})
	}
}
