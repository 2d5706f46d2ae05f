package emulator

// Request ids. Every response carries a fresh uuid-like id, as AWS does:
// the aws and iam dialects in x-amzn-RequestId (the header the AWS SDKs
// read into their result metadata and errors; iam also writes it in the
// body's RequestId, the same value), the envelope dialect in X-Request-Id,
// the common name for it outside AWS. Both are among the headers the
// harness treats as volatile (contract.VolatileHeaders).
const (
	headerAWSRequestID      = "X-Amzn-Requestid" // x-amzn-RequestId, canonical form
	headerEnvelopeRequestID = "X-Request-Id"
)

// requestIDHeader is the request id header of the server's dialect.
func (s *Server) requestIDHeader() string {
	if s.opts.Dialect == DialectEnvelope || s.opts.Dialect == DialectREST {
		return headerEnvelopeRequestID
	}
	return headerAWSRequestID
}
