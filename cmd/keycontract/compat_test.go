package main

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/keycontract/keycontract/contract"
)

// The implementations nobody here wrote (moto both ways, versitygw,
// SeaweedFS) are judged by findings: each names a behaviour, the
// documented rule it breaks, and the failures of the checks that show it.
// One table per implementation is both what its test pins and what its
// findings page in docs/compat/ says (compat_docs_test.go), so the two
// never drift apart.

// finding is one departure of an implementation from a documented rule.
type finding struct {
	// id is the finding's name on its page and in the matrix: "M3", "V1".
	id string
	// title is the behaviour, in one line.
	title string
	// setting marks behaviour that follows from how the implementation
	// was started, as its documentation says (moto's authentication is
	// off until turned on): reported, and not a defect.
	setting bool
	// rule is the documented rule broken, with its source (Markdown).
	rule string
	// text says what happens, and why, where the title and the exchanges
	// do not (Markdown; optional).
	text string
	// shows are the failures that must show it; every check a finding
	// names must fail, with each of them.
	shows []shown
}

// shown is a failure of check that must show a finding.
type shown struct {
	check string
	evidence
}

// show builds a shown from its check and its evidence's three patterns.
func show(check, message, request, response string) shown {
	return shown{check, ev(message, request, response)}
}

// checks lists the checks a finding's failures are in, in order of first
// mention.
func (f finding) checks() []string {
	var ids []string
	for _, s := range f.shows {
		if !slices.Contains(ids, s.check) {
			ids = append(ids, s.check)
		}
	}
	return ids
}

// fails is what pinVerdicts takes: per failing check, every evidence the
// findings require of it.
func fails(findings []finding) map[string][]evidence {
	out := map[string][]evidence{}
	for _, f := range findings {
		for _, s := range f.shows {
			out[s.check] = append(out[s.check], s.evidence)
		}
	}
	return out
}

// example returns an exchange of a failure of c that shows e, and that
// failure's message.
func (e evidence) example(c contract.CheckResult) (contract.RecordedExchange, string, bool) {
	for _, f := range c.Failures {
		if !e.message.MatchString(f.Message) {
			continue
		}
		for _, ex := range f.Exchanges {
			if e.request.MatchString(requestText(ex)) && e.response.MatchString(responseText(ex)) {
				return ex, f.Message, true
			}
		}
	}
	return contract.RecordedExchange{}, "", false
}

// pinSkips asserts that each check in skips was skipped with a reason
// that matches its pattern; pinVerdicts judges every other check.
func pinSkips(t *testing.T, impl string, rep contract.Report, skips map[string]string) {
	t.Helper()
	for _, c := range rep.Checks {
		if want, ok := skips[string(c.ID)]; ok {
			assert.Equal(t, contract.Skip, c.Status, "%s against %s: %s", c.ID, impl, c.Reason)
			assert.Regexp(t, regexp.MustCompile(want), c.Reason, "%s against %s: the skip's reason", c.ID, impl)
		}
	}
}

// checkFindings asserts that a table of findings is well formed: unique
// ids, a title, a rule and at least one failure each, and no check pinned
// both to fail and to be skipped.
func checkFindings(t *testing.T, impl string, findings []finding, skips map[string]string) {
	t.Helper()
	seen := map[string]bool{}
	for _, f := range findings {
		assert.False(t, seen[f.id], "%s: finding %s twice", impl, f.id)
		seen[f.id] = true
		assert.NotEmpty(t, f.title, "%s: finding %s has no title", impl, f.id)
		assert.NotEmpty(t, f.rule, "%s: finding %s names no rule", impl, f.id)
		assert.NotEmpty(t, f.shows, "%s: finding %s shows nothing", impl, f.id)
		for _, c := range f.checks() {
			_, skipped := skips[c]
			assert.False(t, skipped, "%s: %s is pinned both to fail (%s) and to be skipped", impl, c, f.id)
		}
	}
}

// verdictLine is one check's verdict in the form the matrix shows it:
// "pass", "**fail** (M2, M6)", "fail, by setting (M1)", "skip".
func verdictLine(c contract.CheckResult, findings []finding) string {
	switch c.Status {
	case contract.Pass:
		return "pass"
	case contract.Skip:
		return "skip"
	}
	var ids []string
	setting := true
	for _, f := range findings {
		if slices.Contains(f.checks(), string(c.ID)) {
			ids = append(ids, f.id)
			setting = setting && f.setting
		}
	}
	sort.SliceStable(ids, func(i, j int) bool { return idLess(ids[i], ids[j]) })
	head := "**fail**"
	if setting && len(ids) > 0 {
		head = "fail, by setting"
	}
	if len(ids) == 0 {
		return head
	}
	return fmt.Sprintf("%s (%s)", head, strings.Join(ids, ", "))
}

// idLess orders finding ids by their prefix, then numerically: M2 < M10.
func idLess(a, b string) bool {
	pa, na := splitID(a)
	pb, nb := splitID(b)
	if pa != pb {
		return pa < pb
	}
	return na < nb
}

func splitID(id string) (string, int) {
	i := strings.IndexFunc(id, func(r rune) bool { return r >= '0' && r <= '9' })
	if i < 0 {
		return id, 0
	}
	n := 0
	fmt.Sscan(id[i:], &n)
	return id[:i], n
}
