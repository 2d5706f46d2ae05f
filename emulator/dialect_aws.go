package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// DialectAWS is the real Lightsail wire, awsJson1_1: POST / with
// X-Amz-Target: Lightsail_20161128.<Operation> and a JSON body (wire_rpc.go);
// success bodies shaped as in the Lightsail model, with epoch-second
// timestamps; errors typed in __type and X-Amzn-ErrorType, with
// Lightsail's own sub-code, docs and tip (docs/DESIGN.md, "aws").
const DialectAWS = "aws"

var awsDialect = &dialect{
	name:            DialectAWS,
	wire:            func(o Options) wire { return awsWire{region: o.Region} },
	inputs:          inputs,
	entity:          "bucket",
	validName:       validBucketName,
	deleteConflict:  bucketDeleteConflict,
	signingService:  "lightsail",
	requestIDHeader: headerAWSRequestID,
	createdKey:      jsonKey{object: "accessKey", id: "accessKeyId", secret: "secretAccessKey"},
	mediaSynonyms:   map[string]string{ctAWS: "application/json"},
}

const (
	ctAWS   = "application/x-amz-json-1.1"
	docsURL = "https://docs.aws.amazon.com/lightsail/"
)

// awsWire is the aws dialect's wire: the RPC request side, awsJson1_1
// replies.
type awsWire struct {
	rpcDecoder
	region string // regionName of resource locations and ARNs
}

func (w awsWire) success(res *result) (int, http.Header, []byte) {
	return http.StatusOK, headerWith(ctAWS), mustJSON(awsBody(w.region, res))
}

// failure is HTTP 400 (500 for ServiceException) with the error type in
// __type and X-Amzn-ErrorType, and Lightsail's code, docs and tip.
func (awsWire) failure(e *apiError) (int, http.Header, []byte) {
	form := awsErrors[e.kind]
	h := headerWith(ctAWS)
	h.Set("X-Amzn-ErrorType", form.typ)
	return form.status, h, mustJSON(map[string]string{
		"__type":  form.typ,
		"message": e.msg,
		"code":    form.code,
		"docs":    docsURL,
		"tip":     awsTip(e.kind),
	})
}

// awsError is how the aws dialect writes an error kind: its error type
// (__type and X-Amzn-ErrorType), Lightsail's own sub-code in "code", and
// the HTTP status.
type awsError struct {
	typ, code string
	status    int
}

// awsErrors is docs/DESIGN.md's aws error table.
var awsErrors = map[errKind]awsError{
	errInvalidInput:        {"InvalidInputException", "InvalidInput", 400},
	errSerialization:       {"SerializationException", "InvalidInput", 400},
	errUnknownOperation:    {"UnknownOperationException", "InvalidInput", 400},
	errMethodNotAllowed:    {"UnknownOperationException", "InvalidInput", 400},
	errNotFound:            {"NotFoundException", "DoesNotExist", 400},
	errLimit:               {"InvalidInputException", "LimitExceeded", 400},
	errMissingAuth:         {"MissingAuthenticationTokenException", "Unauthenticated", 400},
	errUnrecognizedClient:  {"UnrecognizedClientException", "Unauthenticated", 400},
	errBadSignature:        {"InvalidSignatureException", "Unauthenticated", 400},
	errAccessDenied:        {"AccessDeniedException", "AccessDenied", 400},
	errThrottled:           {"ThrottlingException", "Throttled", 400},
	errInternal:            {"ServiceException", "InternalError", 500},
	errMissingOperation:    {"UnknownOperationException", "InvalidInput", 400},
	errAlreadyExists:       {"InvalidInputException", "InvalidInput", 400},
	errDeleteConflict:      {"InvalidInputException", "InvalidInput", 400},
	errIncompleteSignature: {"InvalidSignatureException", "Unauthenticated", 400},
}

// awsTip is Lightsail's tip for an error kind.
func awsTip(k errKind) string {
	switch k {
	case errNotFound:
		return "Check the bucket name and access key id, then try again."
	case errLimit:
		return "Delete an access key of this bucket before creating another."
	case errThrottled:
		return "Retry with exponential backoff."
	case errMissingAuth, errUnrecognizedClient, errBadSignature, errAccessDenied, errIncompleteSignature:
		return "Check your credentials and how the request is signed."
	case errInternal:
		return "Retry the request later."
	default:
		return "Check the request parameters against the API reference."
	}
}

type awsLocation struct {
	AvailabilityZone string `json:"availabilityZone"`
	RegionName       string `json:"regionName"`
}

type awsOperation struct {
	ID               string      `json:"id"`
	ResourceName     string      `json:"resourceName"`
	ResourceType     string      `json:"resourceType"`
	CreatedAt        any         `json:"createdAt"`
	Location         awsLocation `json:"location"`
	IsTerminal       bool        `json:"isTerminal"`
	OperationDetails string      `json:"operationDetails,omitempty"`
	OperationType    string      `json:"operationType"`
	Status           string      `json:"status"`
	StatusChangedAt  any         `json:"statusChangedAt"`
}

type awsLastUsed struct {
	Region      string `json:"region"`
	ServiceName string `json:"serviceName"`
}

type awsAccessKey struct {
	AccessKeyID     string      `json:"accessKeyId"`
	SecretAccessKey string      `json:"secretAccessKey,omitempty"`
	Status          string      `json:"status"`
	CreatedAt       any         `json:"createdAt"`
	LastUsed        awsLastUsed `json:"lastUsed"`
}

type awsBucket struct {
	ResourceType       string            `json:"resourceType"`
	AccessRules        map[string]any    `json:"accessRules"`
	Arn                string            `json:"arn"`
	BundleID           string            `json:"bundleId"`
	CreatedAt          json.Number       `json:"createdAt"`
	URL                string            `json:"url"`
	Location           awsLocation       `json:"location"`
	Name               string            `json:"name"`
	SupportCode        string            `json:"supportCode"`
	Tags               []Tag             `json:"tags"`
	ObjectVersioning   string            `json:"objectVersioning"`
	AbleToUpdateBundle bool              `json:"ableToUpdateBundle"`
	State              map[string]string `json:"state"`
}

// awsBody is the aws dialect's success body for r, in region.
func awsBody(region string, r *result) any {
	switch r.op {
	case opCreateBucket:
		return map[string]any{"bucket": awsBucketOf(region, r.bucket), "operations": awsOps(region, r, "", epoch(r.at))}
	case opDeleteBucket:
		return map[string]any{"operations": awsOps(region, r, "", epoch(r.at))}
	case opGetBuckets:
		out := make([]awsBucket, 0, len(r.buckets))
		for i := range r.buckets {
			out = append(out, awsBucketOf(region, &r.buckets[i]))
		}
		return map[string]any{"buckets": out}
	case opCreateBucketAccessKey:
		var ts any = epoch(r.at)
		if r.wrongTimestamps {
			ts = rfc3339(r.at)
		}
		k := awsKeyOf(*r.key, true, ts)
		return map[string]any{"accessKey": k, "operations": awsOps(region, r, r.key.ID, ts)}
	case opGetBucketAccessKeys:
		out := make([]awsAccessKey, 0, len(r.keys))
		for _, k := range r.keys {
			out = append(out, awsKeyOf(k, r.listSecrets, epoch(k.CreatedAt)))
		}
		return map[string]any{"accessKeys": out}
	case opDeleteBucketAccessKey:
		details := r.deletedID
		if r.leaked != "" {
			details = r.leaked
		}
		return map[string]any{"operations": awsOps(region, r, details, epoch(r.at))}
	}
	return map[string]any{}
}

func awsKeyOf(k KeyInfo, withSecret bool, createdAt any) awsAccessKey {
	out := awsAccessKey{
		AccessKeyID: k.ID,
		Status:      k.Status,
		CreatedAt:   createdAt,
		LastUsed:    awsLastUsed{Region: "N/A", ServiceName: "N/A"},
	}
	if withSecret {
		out.SecretAccessKey = k.Secret
	}
	return out
}

// awsOps is the one-element operations list Lightsail returns for a
// mutating call; ts is the createdAt/statusChangedAt value.
func awsOps(region string, r *result, details string, ts any) []awsOperation {
	return []awsOperation{{
		ID:               newUUID(),
		ResourceName:     r.bucketName,
		ResourceType:     "Bucket",
		CreatedAt:        ts,
		Location:         awsLocation{AvailabilityZone: "all", RegionName: region},
		IsTerminal:       true,
		OperationDetails: details,
		OperationType:    r.op,
		Status:           "Succeeded",
		StatusChangedAt:  ts,
	}}
}

func awsBucketOf(region string, b *bucket) awsBucket {
	versioning := "NeverEnabled"
	if b.versioning {
		versioning = "Enabled"
	}
	tags := b.tags
	if tags == nil {
		tags = []Tag{}
	}
	return awsBucket{
		ResourceType:       "Bucket",
		AccessRules:        map[string]any{"getObject": "private", "allowPublicOverrides": false},
		Arn:                fmt.Sprintf("arn:aws:lightsail:%s:%s:Bucket/%s", region, accountID, b.arnID),
		BundleID:           b.bundleID,
		CreatedAt:          epoch(b.createdAt),
		URL:                fmt.Sprintf("https://%s.s3.%s.amazonaws.com/", b.name, region),
		Location:           awsLocation{AvailabilityZone: "all", RegionName: region},
		Name:               b.name,
		SupportCode:        fmt.Sprintf("%s/arn:aws:s3:::%s", accountID, b.name),
		Tags:               tags,
		ObjectVersioning:   versioning,
		AbleToUpdateBundle: true,
		State:              map[string]string{"code": "OK"},
	}
}
