package main

// The prose of docs/compat/README.md around its matrix (writeMatrix).

const compatIntro = `
# Implementations nobody here wrote

keycontract runs every check (` + "`keycontract run -dialect iam -sign -seed 1`" + `),
the data plane's included, against implementations of IAM's user access
keys that nobody here wrote: versitygw, moto (as it starts, and with its
authentication on) and SeaweedFS. The data plane's checks (` + "`key-works`" + `,
` + "`key-scoped`" + `, ` + "`key-revoked`" + `) use each key the run creates: they ask the
IAM endpoint who the caller is, signed with the key (STS GetCallerIdentity,
else GetUser with no ` + "`UserName`" + `), while it lives, after its delete, with a
wrong secret and unsigned. Each page also pins, with real clients, what a
user's key does on the implementation's S3.

Each column below is one run; its page gives each finding: the behaviour,
the documented rule it breaks (see [Rules](#rules)), and the exchanges of
the run that show it. A cell names the findings that make a
check fail; "fail, by setting" is a failure that follows from how the
implementation was started, as its documentation says, not a defect.

Each column is pinned, check by check and finding by finding, by a test in
` + "`cmd/keycontract/`" + `, and each page is written from that very table of findings:

- ` + "`TestVersitygw` and `TestMoto`" + ` (both runs) are part of ` + "`make test`" + `, and CI
  (` + "`.ci/run`" + `) installs both implementations and runs them;
- ` + "`TestSeaweedfs`" + ` runs only under ` + "`make compat`" + `: a SeaweedFS build takes
  about 7 minutes and 2 GB of modules, too heavy for every CI run, and CI
  says plainly that it was not run.

` + "`make compat`" + ` builds SeaweedFS into a cache (reused when present; the
version is pinned), runs every implementation and writes this directory:
per implementation its findings page (` + "`<name>.md`" + `), its run's
self-contained HTML report (` + "`keycontract run -html`, `<name>.html`" + `) and its
verdicts (` + "`<name>.json`" + `, from which this matrix is written). ` + "`make moto-report`" + `
and ` + "`make versitygw-report`" + ` write those two alone. In every file the access
key ids the implementations issue (` + "`AKIA...`" + `) are rewritten (` + "`MOTO...`" + `,
` + "`VGWK...`, `SWFS...`" + `) so that nothing looks like an AWS key id; every secret
is redacted by the run (` + "`<secret-N>`" + `), and the test scans each file for
every secret the implementation issued. The project's own emulator passes
every check (` + "`make run`" + `).
`

const compatRules = `
## Rules

A finding names the documented rule it breaks. The rules are those of:

- **IAM API Reference**, each action's request parameters (type, length,
  pattern, range), response elements and errors, and its data types (` + "`User`" + `,
  ` + "`AccessKey`" + `, ` + "`AccessKeyMetadata`" + `); a value that breaks a parameter's rules is
  answered ` + "`ValidationError`" + ` (400); an unknown user or key ` + "`NoSuchEntity`" + ` (404);
  a third key ` + "`LimitExceeded`" + ` (409; IAM quotas: two access keys per user).
- **Common Errors** of the AWS query APIs (IAM API Reference, Common Errors,
  the same list in every query service's reference): ` + "`MissingAction`" + ` (400,
  "The request is missing an action or a required parameter"),
  ` + "`InvalidAction`" + ` (400), ` + "`MissingAuthenticationToken`" + ` (403),
  ` + "`MalformedQueryString`" + `, ` + "`ValidationError`" + ` (400).
- **The AWS query protocol** (Smithy, ` + "`aws.protocols#awsQuery`" + `, operation
  error serialization): an error is ` + "`<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`" + `,
  in the service's XML namespace; IAM answers ` + "`text/xml`" + `.
- **Signature Version 4**: the canonical request carries the SHA-256 of the
  request's payload as sent; a request signed so authenticates.
- **AWS STS API Reference**, GetCallerIdentity (the caller's ` + "`Arn`" + `, ` + "`UserId`" + `,
  ` + "`Account`" + `; no permission needed), and **Amazon S3 API Reference**,
  ListObjectsV2 and its error codes (` + "`AccessDenied`, `InvalidAccessKeyId`" + `,
  ` + "`SignatureDoesNotMatch`" + `, 403): the data plane a key is used on.
- **docs/DESIGN.md's ` + "`iam`" + ` table** and its data plane section, which collect
  these per situation.

Behaviour the contract leaves open (an ignored stray form pair, fewer items
than asked on a page, an extra element) is never a finding (docs/DESIGN.md,
"What a check may demand, and what it may not").
`
