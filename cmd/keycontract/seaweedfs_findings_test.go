package main

// SeaweedFS's findings, pinned by TestSeaweedfs (make compat) and told by
// docs/compat/seaweedfs.md.

// swfsRun matches the names the run gives its users (keycontract-<run>-a).
const swfsRun = `keycontract-[0-9a-f]{8}-`

var seaweedfsFindings = []finding{{
	id: "S1", title: "No limit of two keys per user",
	rule: "IAM API Reference, CreateAccessKey: `LimitExceeded` (409) beyond the quota; IAM quotas: two access keys per user.",
	text: "A third CreateAccessKey for a user that holds two keys succeeds, and the list then holds three; under concurrent creates one user gets as many keys as were asked for.",
	shows: []shown{
		show("two-key-limit", `^CreateAccessKey\(`+swfsRun+`a\) = 200 success, want the limit error`, `^signed Action=CreateAccessKey&UserName=`+swfsRun+`a&`, `(?s)^200 application/xml.*<CreateAccessKeyResponse`),
		show("two-key-limit", `^ListAccessKeys\(#\d+\) = 3 keys, want at most 2$`, `^signed Action=ListAccessKeys&`, `(?s)^200 application/xml.*</member><member>.*</member><member>`),
		show("concurrent-limit", `concurrent operations on one bucket .* are not linearizable against the 2-key model`, `^signed Action=CreateAccessKey&`, `(?s)^200 application/xml.*<CreateAccessKeyResponse`),
	},
}, {
	id: "S2", title: "DeleteAccessKey succeeds when the named user holds no such key",
	rule: "IAM API Reference, DeleteAccessKey: `NoSuchEntity` (404) when the user, or the key of that user, does not exist.",
	text: "Deleting a key a second time, deleting another user's key through a user's name, and deleting a key of a user that does not exist are each answered `200`. Nothing is deleted (checked by hand: the other user's key is still listed), so a caller is told a key it named is gone when it is not.",
	shows: []shown{
		show("key-lifecycle", `^DeleteAccessKey\(`+swfsRun+`a, \w+\) = 200 success, want the not-found error .*\(deleted twice\)`, `^signed Action=DeleteAccessKey&AccessKeyId=\w+&UserName=`+swfsRun+`a&`, `(?s)^200 application/xml.*<DeleteAccessKeyResponse`),
		show("bucket-isolation", `^DeleteAccessKey\(`+swfsRun+`b, \w+\) = 200 success, want the not-found error .*\(the key belongs to `+swfsRun+`a\)`, `^signed Action=DeleteAccessKey&AccessKeyId=\w+&UserName=`+swfsRun+`b&`, `(?s)^200 application/xml.*<DeleteAccessKeyResponse`),
		show("unknown-bucket", `^DeleteAccessKey\(`+swfsRun+`missing\) = 200 success`, `^signed Action=DeleteAccessKey&AccessKeyId=KEYCONTRACT000000000&UserName=`+swfsRun+`missing&`, `(?s)^200 application/xml.*<DeleteAccessKeyResponse`),
	},
}, {
	id: "S3", title: "An unknown user's keys are listed, as none",
	rule: "IAM API Reference, ListAccessKeys: `NoSuchEntity` (404) when the user does not exist.",
	text: "CreateAccessKey for an unknown user is refused `NoSuchEntity`, as IAM does; ListAccessKeys for one answers `200` with an empty list.",
	shows: []shown{
		show("unknown-bucket", `^ListAccessKeys\(`+swfsRun+`missing\) = 200 success`, `^signed Action=ListAccessKeys&UserName=`+swfsRun+`missing&`, `(?s)^200 application/xml.*<AccessKeyMetadata></AccessKeyMetadata>`),
	},
}, {
	id: "S4", title: "An unsigned request gets 405 with an empty body",
	rule: "Common Errors, `MissingAuthenticationToken` (403).",
	text: "`405 Method Not Allowed`, no `Content-Type`, no body: no error a client can read; the unsigned caller probe (GetUser) alike, so key-scoped fails too. A signed request with a wrong secret is refused as IAM does (`403 SignatureDoesNotMatch`), and an unknown key `403 InvalidClientTokenId`.",
	shows: []shown{
		show("auth-required", `^ListAccessKeys\(`+swfsRun+`a, without credentials\) = 405 \(no error code\)`, `^unsigned Action=ListAccessKeys&`, `^405 \n$`),
		show("key-scoped", `^GetUser\(without credentials, on `+swfsRun+`a\) = 405 \(no error code\)`, `^unsigned Action=GetUser&Version=2010-05-08$`, `^405 \n$`),
	},
}, {
	id: "S5", title: "Users come without `UserId` and `CreateDate`",
	rule: "IAM API Reference, the `User` data type: `Path`, `UserName`, `UserId`, `Arn` and `CreateDate` are required.",
	text: "CreateUser's and ListUsers' users carry `Arn`, `Path` and `UserName` only.",
	shows: []shown{
		show("success-envelope", `^CreateUser\(#\d+\) = 200 with .*"/CreateUserResult/User/UserId": property "UserId" is missing .*"/CreateUserResult/User/CreateDate": property "CreateDate" is missing`, `^signed Action=CreateUser&`, `(?s)^200 application/xml.*<CreateUserResponse`),
		show("success-envelope", `^ListUsers\(#\d+\) = 200 with .*"/ListUsersResult/Users/0/UserId": property "UserId" is missing`, `^signed Action=ListUsers&`, `(?s)^200 application/xml.*<ListUsersResponse`),
	},
}, {
	id: "S6", title: "`MaxItems` is ignored",
	rule: "IAM API Reference, ListAccessKeys and ListUsers: `MaxItems` is the most items the response holds, and `IsTruncated` says whether more follow.",
	text: "A page holds every key, with `IsTruncated` false. `MaxItems` that is not an integer, or outside its range, is accepted too: S8.",
	shows: []shown{
		show("success-envelope", `^ListAccessKeys\(#\d+, MaxItems=1\) = 2 items, want at most 1$`, `^signed Action=ListAccessKeys&MaxItems=1&`, `(?s)^200 application/xml.*</member><member>`),
	},
}, {
	id: "S7", title: "An unknown or missing Action is answered `InvalidAction` with status 404",
	rule: "Common Errors: `InvalidAction` is status 400 (and a missing Action `MissingAction`, 400).",
	shows: []shown{
		show("error-envelope", `= 404: error InvalidAction has status 404, want 400`, `^signed Action=NoSuchOperation&`, `(?s)^404 application/xml.*<Code>InvalidAction</Code>`),
		show("error-envelope", `= 404: error InvalidAction has status 404, want 400`, `^signed $`, `(?s)^404 application/xml.*<Code>InvalidAction</Code>`),
	},
}, {
	id: "S8", title: "No input validation",
	rule: "IAM API Reference, each action's request parameters: `UserName` (1 to 64 characters of `[\\w+=,.@-]` for CreateUser, 128 elsewhere), `AccessKeyId` (required; 16 to 128 characters of `[\\w]`), `Path`, `PathPrefix`, `Marker`, `PermissionsBoundary` (lengths and patterns), `MaxItems` (an integer, 1 to 1,000); IAM answers `ValidationError` (400).",
	text: "None of them is checked: users are created with names of 65 characters and `Invalid_Name!`, DeleteAccessKey with no `AccessKeyId` answers `200`, and so do every list with a `MaxItems` of 0, 1001, `true` or `keycontract`, and every out-of-rule `Path`, `PathPrefix`, `Marker` and `PermissionsBoundary`.",
	shows: []shown{
		show("invalid-input-rejected", `^CreateUser\(UserName: too long \(65 > 64\)\) = 200 success`, `UserName=a{65}&`, `^200 application/xml`),
		show("invalid-input-rejected", `^CreateUser\(UserName: does not match pattern .*\) = 200 success`, `UserName=Invalid_Name%21&`, `^200 application/xml`),
		show("invalid-input-rejected", `^DeleteAccessKey\(AccessKeyId: missing required member\) = 200 success`, `^signed Action=DeleteAccessKey&UserName=`, `^200 application/xml`),
		show("invalid-input-rejected", `^DeleteAccessKey\(AccessKeyId: does not match pattern .*\) = 200 success`, `AccessKeyId=Invalid_Name`, `^200 application/xml`),
		show("invalid-input-rejected", `^ListAccessKeys\(MaxItems: below minimum \(0 < 1\)\) = 200 success`, `MaxItems=0&`, `^200 application/xml`),
		show("invalid-input-rejected", `^ListUsers\(MaxItems: wrong type string\) = 200 success`, `MaxItems=keycontract&`, `^200 application/xml`),
		show("invalid-input-rejected", `^CreateUser\(Path: too long \(513 > 512\)\) = 200 success`, `Path=a{513}&`, `^200 application/xml`),
		show("invalid-input-rejected", `^CreateUser\(PermissionsBoundary: too short \(19 < 20\)\) = 200 success`, `PermissionsBoundary=a{19}&`, `^200 application/xml`),
		show("invalid-input-rejected", `^ListUsers\(Marker: too long \(321 > 320\)\) = 200 success`, `Marker=a{321}&`, `^200 application/xml`),
	},
}}

var seaweedfsPage = compatPage{
	slug: "seaweedfs", column: "SeaweedFS", title: "SeaweedFS (" + seaweedfsModule + ")", test: "TestSeaweedfs", target: "compat",
	about: `
SeaweedFS is a distributed file system whose S3 gateway serves IAM's query
API on its S3 port. ` + "`make compat`" + ` builds it with Go 1.26 from a copy of the
module (` + "`go install`" + ` refuses it: its go.mod has a ` + "`replace`" + ` directive) into
a cache, ` + "`~/.cache/keycontract/seaweedfs-7506e5f91cd6/weed`" + `, reused when
present. ` + "`TestSeaweedfs`" + ` starts its master, filer and S3 gateway (no volume
server: IAM needs none) on free loopback ports, its data in a fresh
temporary directory and one admin identity (` + "`actions: [\"Admin\"]`" + `), which the
run signs with:

` + "```" + `
weed server -dir=D -ip=127.0.0.1 -ip.bind=127.0.0.1 -volume=false -master.telemetry=false \
  -master.port=P1 -filer.port=P2 -s3 -s3.port=P -s3.config=D/s3.json -s3.iam.readOnly=false ...
` + "```" + `

It is stopped with SIGKILL, and the gRPC sockets it leaves in /tmp (named
after the ports chosen) are removed. It is not run in CI.`,
	keeps: `
SeaweedFS returns the secret once and never again, accepts every valid
request, answers no request with a 5xx, refuses CreateAccessKey for an
unknown user (` + "`NoSuchEntity`" + `), a wrong secret (` + "`SignatureDoesNotMatch`" + `) and an
unknown key (` + "`InvalidClientTokenId`" + `). Its findings are in the rest of the key
contract: the limit, deletes that act on nothing, unknown users, unsigned
requests, the ` + "`User`" + ` shape, pages and input validation.`,
	observed: `
` + "`Path`" + ` is ignored: CreateUser with ` + "`Path=/keycontract/`" + ` (every user the run
creates) makes a user whose ` + "`Path`" + ` is ` + "`/`" + ` and whose ` + "`Arn`" + ` has no path (IAM API
Reference, CreateUser: the path of the user); no check of this contract
judges a user's path.

Who a key is: as started here, SeaweedFS answers ` + "`GetCallerIdentity`" + ` with
` + "`503 ServiceUnavailable`" + ` (its STS handlers exist only with an advanced IAM
configuration, ` + "`-s3.iam.config`" + `); ` + "`GetUser`" + ` with no ` + "`UserName`" + `, signed with a
user's key, names that user (below).`,
	keyTest: "TestSeaweedfs/keys",
	keyUse: []string{
		"no policy: S3 ListObjectsV2 403 AccessDenied",
		"no policy: STS GetCallerIdentity 503 ServiceUnavailable",
		"no policy: IAM GetUser 200 names keycontract-key-use",
		"policy: S3 ListObjectsV2 200",
		"policy: STS GetCallerIdentity 503 ServiceUnavailable",
		"policy: IAM GetUser 200 names keycontract-key-use",
		"wrong secret: S3 ListObjectsV2 403 SignatureDoesNotMatch",
		"unsigned: S3 ListObjectsV2 403 AccessDenied",
		"UpdateAccessKey Inactive 200",
		"inactive: S3 ListObjectsV2 403 InvalidAccessKeyId",
		"inactive: STS GetCallerIdentity 403 InvalidClientTokenId",
		"inactive: IAM GetUser 403 InvalidClientTokenId",
		"deleted: S3 ListObjectsV2 403 InvalidAccessKeyId",
		"deleted: STS GetCallerIdentity 403 InvalidClientTokenId",
		"deleted: IAM GetUser 403 InvalidClientTokenId",
	},
	keyNote: `
The data plane is where SeaweedFS is right: a user's key authenticates on
S3 and has no permission (` + "`AccessDenied`" + `) until an inline policy allows its
bucket; a wrong secret is ` + "`SignatureDoesNotMatch`" + `; an Inactive key and a
deleted one are refused at once. GetUser with no ` + "`UserName`" + ` names the caller
with no policy at all (IAM would answer ` + "`AccessDenied`" + ` to a user without
` + "`iam:GetUser`" + `; answering a user about itself is more than IAM allows, and no
rule of this contract is broken by it). GetCallerIdentity is not served
as started here (503).`,
}
