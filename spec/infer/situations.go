package infer

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/keycontract/keycontract/spec"
)

// Situations: which situation an error code is for, by its name or its
// status, which codes each situation accepts, and which statuses a code
// implies where the description does not say.

// situationOf classifies an error code by its name.
func situationOf(code string) (spec.Situation, bool) {
	n := norm(code)
	has := func(ws ...string) bool {
		for _, w := range ws {
			if strings.Contains(n, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("throttl", "ratelimit", "toomanyrequest", "slowdown", "requestlimitexceeded"):
		return spec.Throttled, true
	case has("auth", "accessdenied", "forbidden", "signature", "unrecognizedclient", "clienttoken", "credential", "permission", "denied", "expiredtoken", "invalidtoken"):
		return spec.AuthFailed, true
	case has("unknownoperation", "invalidaction", "missingaction", "methodnotallowed", "notimplemented", "unsupportedoperation", "unknownmethod", "routenotfound", "unknownaction"):
		return spec.UnknownOperation, true
	case has("notfound", "nosuch", "doesnotexist", "notexist", "unknownbucket", "unknownuser"):
		return spec.NotFound, true
	case has("limit", "quota", "toomany", "exceeded"):
		return spec.LimitExceeded, true
	case has("invalid", "validation", "malformed", "serialization", "badrequest", "missingparameter", "unprocessable", "missinginput"):
		return spec.InvalidInput, true
	}
	return "", false
}

func situationOfStatus(status int) (spec.Situation, bool) {
	switch status {
	case 400, 422:
		return spec.InvalidInput, true
	case 401, 403:
		return spec.AuthFailed, true
	case 404:
		return spec.NotFound, true
	case 405, 501:
		return spec.UnknownOperation, true
	case 409:
		return spec.LimitExceeded, true
	case 429:
		return spec.Throttled, true
	}
	return "", false
}

// situations infers the codes a correct endpoint may answer in each
// situation: the codes named for it, or (where the description's statuses
// are its own: hasOwn false) documented under its status, and what the
// protocol adds (errorRule).
func (x *inference) situations(statuses map[string][]int, hasOwn bool) map[spec.Situation][]string {
	r := x.r
	accept := map[spec.Situation][]string{}
	for _, code := range sortedKeys(statuses) {
		if s, ok := situationOf(code); ok {
			accept[s] = append(accept[s], code)
			continue
		}
		if hasOwn || x.pseudoErrs {
			continue
		}
		if n := norm(code); strings.Contains(n, "exist") || strings.Contains(n, "conflict") || strings.Contains(n, "internal") || strings.Contains(n, "server") || strings.Contains(n, "service") || strings.Contains(n, "unavailable") {
			continue
		}
		for _, st := range statuses[code] {
			if s, ok := situationOfStatus(st); ok && !slices.Contains(accept[s], code) {
				accept[s] = append(accept[s], code)
			}
		}
	}
	whys := map[spec.Situation]string{}
	if len(accept[spec.LimitExceeded]) == 0 {
		for _, code := range sortedKeys(statuses) {
			if slices.Contains(statuses[code], 409) && !slices.Contains(accept[spec.NotFound], code) && x.rule.limitBy409() {
				accept[spec.LimitExceeded] = append(accept[spec.LimitExceeded], code)
			}
		}
		whys[spec.LimitExceeded] = "no code names a limit: the codes under 409"
		if len(accept[spec.LimitExceeded]) == 0 {
			accept[spec.LimitExceeded] = append(accept[spec.LimitExceeded], accept[spec.InvalidInput]...)
			for _, code := range sortedKeys(statuses) {
				if n := norm(code); strings.Contains(n, "operationfailure") || strings.Contains(n, "conflict") {
					accept[spec.LimitExceeded] = append(accept[spec.LimitExceeded], code)
				}
			}
			whys[spec.LimitExceeded] = "no code names a limit: the invalid-input codes and any operation-failure or conflict code, as AWS answers a third key"
		}
	}
	x.rule.invalidInput(statuses, accept, whys)
	unknown := accept[spec.UnknownOperation]
	for _, c := range accept[spec.InvalidInput] {
		if !slices.Contains(unknown, c) {
			unknown = append(unknown, c)
		}
	}
	more, why := x.rule.unknownOperation(accept)
	accept[spec.UnknownOperation] = append(unknown, more...)
	whys[spec.UnknownOperation] = "codes naming an unknown operation, and the invalid-input codes" + why
	for _, s := range []spec.Situation{spec.AuthFailed, spec.Throttled} {
		if len(accept[s]) == 0 {
			code, st := "UNAUTHENTICATED", []int{401, 403}
			if s == spec.Throttled {
				code, st = "TOO_MANY_REQUESTS", []int{429}
			}
			statuses[code] = st
			accept[s] = []string{code}
			whys[s] = fmt.Sprintf("the description documents no such error; assumed %s %v", code, st)
		}
	}
	for _, s := range []spec.Situation{spec.NotFound, spec.InvalidInput} {
		if len(accept[s]) == 0 {
			x.r.Problems = append(x.r.Problems, Problem{Field: "errors.accept." + string(s), Message: "no documented error code fits " + string(s)})
		}
	}
	for _, s := range spec.Situations {
		sort.Strings(accept[s])
		accept[s] = slices.Compact(accept[s])
		why := whys[s]
		if why == "" {
			why = "codes named for it" + map[bool]string{true: " or documented under its status"}[!hasOwn]
		}
		r.note("errors.accept."+string(s), strings.Join(accept[s], ", "), why)
	}
	return accept
}

// namedStatuses are the statuses a code's name implies where its
// protocol sends errors with 400 whatever a description lists
// (wire_rpc.go), or the description hides them under pseudo-statuses: 500 for service
// failures, 400 or 401 or 403 for auth, 400 or 429 for throttling, 400
// or 404 for an unknown operation, else 400.
func namedStatuses(code string) []int {
	n := norm(code)
	if strings.Contains(n, "service") || strings.Contains(n, "internal") {
		return []int{500}
	}
	s, _ := situationOf(code)
	switch s {
	case spec.AuthFailed:
		return []int{400, 401, 403}
	case spec.Throttled:
		return []int{400, 429}
	case spec.UnknownOperation:
		return []int{400, 404}
	}
	return []int{400}
}

// narrow gives each code the statuses its situation implies, when one
// error response is shared by several statuses (or is the default): a
// NOT_FOUND listed under 400, 404 and 409 is a 404. A code with no status
// left (only under default) takes its situation's usual one.
func narrow(statuses map[string][]int, resps []errResp) {
	for code, sts := range statuses {
		s, named := situationOf(code)
		var keep []int
		for _, st := range sts {
			if ss, ok := situationOfStatus(st); ok && named && ss == s {
				keep = append(keep, st)
			}
		}
		if len(keep) == 0 {
			for _, st := range sts {
				if st != 0 {
					keep = append(keep, st)
				}
			}
			if len(keep) > 1 {
				keep = nil // the shared response says nothing of this code
			}
		}
		if len(keep) == 0 {
			keep = usualStatus(code, s, named)
		}
		slices.Sort(keep)
		statuses[code] = keep
	}
}

func usualStatus(code string, s spec.Situation, named bool) []int {
	n := norm(code)
	switch {
	case strings.Contains(n, "internal") || strings.Contains(n, "server") || strings.Contains(n, "service"):
		return []int{500}
	case strings.Contains(n, "unavailable"):
		return []int{503}
	case strings.Contains(n, "exist") || strings.Contains(n, "conflict"):
		return []int{409}
	case !named:
		return []int{400}
	}
	switch s {
	case spec.AuthFailed:
		return []int{401, 403}
	case spec.NotFound:
		return []int{404}
	case spec.LimitExceeded:
		return []int{409}
	case spec.Throttled:
		return []int{429}
	case spec.UnknownOperation:
		return []int{404, 405}
	}
	return []int{400}
}
