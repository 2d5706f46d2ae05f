package emulator

// Request ids. Every response carries a fresh uuid-like id, as AWS does,
// in its dialect's request-id header (dialect.requestIDHeader): AWS's
// x-amzn-RequestId (the header the AWS SDKs read into their result
// metadata and errors; a dialect may also write the same value in its
// body), or X-Request-Id, the common name for it outside AWS. Both are
// among the headers the harness treats as volatile
// (contract.VolatileHeaders).
const (
	headerAWSRequestID      = "X-Amzn-Requestid" // x-amzn-RequestId, canonical form
	headerEnvelopeRequestID = "X-Request-Id"
)
