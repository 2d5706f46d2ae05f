package spec

import (
	"reflect"
	"strings"
	"testing"
)

// scanCorpus: documents scanXML takes (the replies of the iam emulator and
// of moto, in their spellings) and documents it must leave to encoding/xml,
// well-formed or not.
var scanCorpus = []struct {
	doc     string
	scanned bool // scanXML takes it
}{
	{`<CreateAccessKeyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><CreateAccessKeyResult><AccessKey><UserName>u</UserName><AccessKeyId>AKIDEXAMPLE000000001</AccessKeyId><Status>Active</Status><SecretAccessKey>wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY</SecretAccessKey><CreateDate>2026-01-01T00:00:00Z</CreateDate></AccessKey></CreateAccessKeyResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></CreateAccessKeyResponse>`, true},
	{"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAccessKeysResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n  <ListAccessKeysResult>\n    <AccessKeyMetadata>\n      <member><UserName>u</UserName></member>\n      <member/>\n    </AccessKeyMetadata>\n  </ListAccessKeysResult>\n</ListAccessKeysResponse>\n", true},
	{`<?xml version="1.0"?><iam:A xmlns:iam='urn:x' b = "1"><iam:B>t</iam:B>mixed<C/>text</iam:A>`, true},
	{`<?xml version="1.0" encoding="utf-8"?><a><b.c-d_e>1</b.c-d_e ></a>`, true},
	{"\n <a>\t</a> \n", true},
	{`<a></a>`, true},
	// Left to encoding/xml: well-formed.
	{`<a>&lt;&amp;</a>`, false},
	{`<a>x&#65;</a>`, false},
	{`<a><![CDATA[<b>]]></a>`, false},
	{`<a><!-- c --></a>`, false},
	{`<!DOCTYPE a><a/>`, false},
	{`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, false},
	{` <?xml version="1.0"?><a/>`, false},
	{"<a>\r\n</a>", false},
	{"<a>é</a>", false},
	{"\ufeff<a/>", false},
	{`<a b="&amp;"/>`, false},
	{`<a>></a>`, false},
	{`<a:b:c/>`, false},
	{`<a:1/>`, false},
	{`<a x="1"y="2"/>`, true},
	// Left to encoding/xml: malformed.
	{`<a><b></a>`, false},
	{`<a/><b/>`, false},
	{`not xml <`, false},
	{`<a>`, false},
	{`<a b=1/>`, false},
	{`<a b="1/>`, false},
	{`<a b="<"/>`, false},
	{`<a/ >`, false},
	{`</a>`, false},
	{`<a></b>`, false},
	{`<p:a></q:a>`, false},
	{`<p:a></a>`, false},
	{`<a>]]></a>`, false},
	{"<a>\x01</a>", false},
	{`x<a/>`, false},
	{`<a/>x`, false},
	{``, false},
	{`   `, false},
	{`<1a/>`, false},
	{`<a:/>`, false},
}

// TestScanXMLAgrees: scanXML takes the documents AWS query endpoints send,
// and whatever it takes, encoding/xml reads as the same tree.
func TestScanXMLAgrees(t *testing.T) {
	for _, c := range scanCorpus {
		_, ok := scanXML([]byte(c.doc))
		if ok != c.scanned {
			t.Errorf("scanXML(%q) took it: %v, want %v", c.doc, ok, c.scanned)
		}
		checkScanAgrees(t, []byte(c.doc))
	}
}

func checkScanAgrees(t *testing.T, doc []byte) {
	t.Helper()
	scanned, ok := scanXML(doc)
	if !ok {
		return
	}
	tokens, err := tokenXML(doc)
	if err != nil {
		t.Fatalf("scanXML took %q, which encoding/xml rejects: %v", doc, err)
	}
	if !reflect.DeepEqual(scanned, tokens) {
		t.Fatalf("scanXML and encoding/xml read %q differently:\n%s\n%s", doc, dumpElement(scanned), dumpElement(tokens))
	}
}

func dumpElement(el *element) string {
	var b strings.Builder
	var dump func(*element, string)
	dump = func(el *element, indent string) {
		b.WriteString(indent + el.name + " " + strings.ReplaceAll(el.text, "\n", `\n`) + "\n")
		for _, c := range el.children {
			dump(c, indent+"  ")
		}
	}
	dump(el, "")
	return b.String()
}

// FuzzScanXML: whatever scanXML takes, encoding/xml reads as the same
// tree. Its seeds run in go test; go test -fuzz FuzzScanXML ./spec
// explores further.
func FuzzScanXML(f *testing.F) {
	for _, c := range scanCorpus {
		f.Add([]byte(c.doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) { checkScanAgrees(t, doc) })
}

// BenchmarkDecodeXML: a create reply decoded as the harness decodes it,
// scanned and, for comparison, through encoding/xml.
func BenchmarkDecodeXML(b *testing.B) {
	doc := []byte(scanCorpus[0].doc)
	b.Run("scan", func(b *testing.B) {
		for b.Loop() {
			if _, err := DecodeXML(doc, nil, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-xml", func(b *testing.B) {
		for b.Loop() {
			root, err := tokenXML(doc)
			if err != nil {
				b.Fatal(err)
			}
			decodeElement(root, nil)
		}
	})
}
