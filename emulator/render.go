package emulator

import (
	"encoding/json"
	"fmt"
	"time"
)

// accountID is the fixed account the emulator's ARNs name.
const accountID = "123456789012"

// epoch renders t as epoch seconds, a JSON number that always has a
// three-digit fraction (the aws dialect's timestamp form).
func epoch(t time.Time) json.Number {
	return json.Number(fmt.Sprintf("%d.%03d", t.Unix(), t.Nanosecond()/int(time.Millisecond)))
}

// rfc3339 renders t in the envelope dialect's timestamp form.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

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

type envKey struct {
	ID        string `json:"id"`
	CreatedAt any    `json:"created_at"`
	Secret    string `json:"secret_access_key,omitempty"`
	Status    string `json:"status"`
}

type envItem struct {
	ID        string `json:"id"`
	CreatedAt string `json:"created_at"`
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

// envelopeData is the data member of the envelope's success body for r
// (rest uses it too, for the operations that answer with a body).
func envelopeData(r *result) any {
	switch r.op {
	case opCreateBucket:
		return envItem{ID: r.bucket.name, CreatedAt: rfc3339(r.bucket.createdAt)}
	case opDeleteBucket:
		return map[string]string{"id": r.bucketName}
	case opGetBuckets:
		out := make([]envItem, 0, len(r.buckets))
		for _, b := range r.buckets {
			out = append(out, envItem{ID: b.name, CreatedAt: rfc3339(b.createdAt)})
		}
		return map[string]any{"buckets": out}
	case opCreateBucketAccessKey:
		var ts any = rfc3339(r.key.CreatedAt)
		if r.wrongTimestamps {
			ts = epoch(r.key.CreatedAt)
		}
		return envKey{ID: r.key.ID, CreatedAt: ts, Secret: r.key.Secret, Status: r.key.Status}
	case opGetBucketAccessKeys:
		out := make([]envKey, 0, len(r.keys))
		for _, k := range r.keys {
			e := envKey{ID: k.ID, CreatedAt: rfc3339(k.CreatedAt), Status: k.Status}
			if r.listSecrets {
				e.Secret = k.Secret
			}
			out = append(out, e)
		}
		return map[string]any{"access_keys": out}
	case opDeleteBucketAccessKey:
		d := map[string]string{"id": r.deletedID}
		if r.leaked != "" {
			d["secret_access_key"] = r.leaked
		}
		return d
	}
	return map[string]any{}
}
