package redact

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// redactImpl is what the benchmarks need of a Redactor and of refRedactor.
type redactImpl interface {
	AddSecret(v string) string
	Bytes(b []byte) []byte
	Contains(b []byte) bool
}

var redactImpls = []struct {
	name string
	make func() redactImpl
}{
	{"impl=ref", func() redactImpl { return newRefRedactor() }},
	{"impl=new", func() redactImpl { return New() }},
}

// redactBenchSecrets are secret access keys as the emulator makes them: 40
// characters of base64, '/' and '+' included.
func redactBenchSecrets(n int) []string {
	rng := rand.New(rand.NewPCG(7, 7))
	s := make([]string, n)
	for i := range s {
		s[i] = redactRandString(rng, 40, redactBase64)
	}
	return s
}

// redactBenchBody is a response body of about 1 KB holding no secret, or secret.
func redactBenchBody(secret string) []byte {
	var b strings.Builder
	b.WriteString(`{"accessKeys":[`)
	for i := range 5 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"accessKeyId":"EMULQ2VJ7NRC4KX%d","createdAt":"2026-01-0%dT10:11:12Z","status":"Active","lastUsed":{"lastUsedDate":"2026-01-0%dT11:00:00Z","region":"us-east-1","serviceName":"lightsail"}}`, i, i+1, i+2)
	}
	b.WriteString(`],"operation":{"id":"3f9c1a2b4d5e6f708192a3b4c5d6e7f8","resourceName":"bucket/with/slashes","status":"Succeeded"`)
	if secret != "" {
		fmt.Fprintf(&b, `,"secretAccessKey":"%s"`, secret)
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// BenchmarkRedactorBytes redacts a 1 KB JSON body with 10, 1,000 and 50,000
// secrets registered, with and without one of them in it. impl=ref is the
// algorithm before the index (one search per form of every secret).
func BenchmarkRedactorBytes(b *testing.B) {
	secrets := redactBenchSecrets(50_000)
	for _, impl := range redactImpls {
		for _, n := range []int{10, 1_000, 50_000} {
			r := impl.make()
			for _, s := range secrets[:n] {
				r.AddSecret(s)
			}
			for _, match := range []string{"none", "one"} {
				body := redactBenchBody("")
				if match == "one" {
					body = redactBenchBody(secrets[n/2])
				}
				b.Run(fmt.Sprintf("%s/secrets=%d/match=%s", impl.name, n, match), func(b *testing.B) {
					b.SetBytes(int64(len(body)))
					b.ReportAllocs()
					for b.Loop() {
						out := r.Bytes(body)
						if (match == "one") == (&out[0] == &body[0]) {
							b.Fatal("wrong redaction")
						}
					}
				})
			}
		}
	}
}

// BenchmarkRedactorContains is Contains on the same body, no secret in it.
func BenchmarkRedactorContains(b *testing.B) {
	secrets := redactBenchSecrets(50_000)
	body := redactBenchBody("")
	for _, impl := range redactImpls {
		for _, n := range []int{10, 1_000, 50_000} {
			r := impl.make()
			for _, s := range secrets[:n] {
				r.AddSecret(s)
			}
			b.Run(fmt.Sprintf("%s/secrets=%d", impl.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if r.Contains(body) {
						b.Fatal("found a secret")
					}
				}
			})
		}
	}
}

// BenchmarkRedactorMemory registers 50,000 secrets in an empty Redactor per
// iteration, and reports the heap it keeps per secret (B/secret).
func BenchmarkRedactorMemory(b *testing.B) {
	const n = 50_000
	secrets := redactBenchSecrets(n)
	for _, impl := range redactImpls {
		b.Run(impl.name, func(b *testing.B) {
			var perSecret float64
			for b.Loop() {
				b.StopTimer()
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				b.StartTimer()
				r := impl.make()
				for _, s := range secrets {
					r.AddSecret(s)
				}
				b.StopTimer()
				runtime.GC()
				runtime.ReadMemStats(&after)
				runtime.KeepAlive(r)
				perSecret = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
				b.StartTimer()
			}
			b.ReportMetric(perSecret, "B/secret")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/secret")
		})
	}
}
