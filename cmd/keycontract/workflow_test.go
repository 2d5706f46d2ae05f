package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v4"
)

// .github/workflows/nightly.yml, read as GitHub reads it: one job per
// target (Lightsail in two regions, IAM), every check run (the data
// plane's included, at amazonaws.com's default windows), every flag one the
// CLI has, the measured windows summarized and uploaded, and the sweep in a
// step that always runs. The summary step's script is run here against
// reports of each kind.

type workflowStep struct {
	Name string            `yaml:"name"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	With map[string]string `yaml:"with"`
}

type workflow struct {
	Jobs map[string]struct {
		Strategy struct {
			Matrix struct {
				Include []map[string]string `yaml:"include"`
			} `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []workflowStep `yaml:"steps"`
	} `yaml:"jobs"`
}

// nightlySteps reads the workflow's one job: its matrix and its steps by
// name.
func nightlySteps(t *testing.T) ([]map[string]string, map[string]workflowStep) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", "nightly.yml"))
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(b, &w))
	require.Len(t, w.Jobs, 1)
	job := w.Jobs["contract"]
	steps := map[string]workflowStep{}
	for _, s := range job.Steps {
		if s.Name != "" {
			steps[s.Name] = s
		}
	}
	return job.Strategy.Matrix.Include, steps
}

func TestNightlyWorkflow(t *testing.T) {
	matrix, steps := nightlySteps(t)
	targets := map[string]map[string]string{}
	for _, m := range matrix {
		targets[m["target"]] = m
	}
	assert.Equal(t, map[string]string{"target": "iam", "dialect": "iam", "region": "us-east-1", "endpoint": "https://iam.amazonaws.com"}, targets["iam"])
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		assert.Equal(t, map[string]string{"target": "lightsail-" + region, "dialect": "aws", "region": region, "endpoint": "https://lightsail." + region + ".amazonaws.com"}, targets["lightsail-"+region])
	}

	run := steps["Run the contract checks"].Run
	require.NotEmpty(t, run)
	for _, flag := range []string{"-checks", "-propagation", "-revocation", "-data-endpoint"} {
		assert.NotContains(t, run, flag+" ", "every check runs, at amazonaws.com's defaults")
	}
	assertFlagsOf(t, "run", run)
	for _, flag := range []string{`-endpoint "$ENDPOINT"`, `-dialect "$DIALECT"`, `-region "$REGION"`, "-junit junit.xml", "-json report.json"} {
		assert.Contains(t, run, flag, "the run's command line")
	}
	sweep := steps["Sweep what the run left behind"]
	for _, flag := range []string{`-endpoint "$ENDPOINT"`, `-dialect "$DIALECT"`, `-region "$REGION"`} {
		assert.Contains(t, sweep.Run, flag, "the sweep takes what the run took: IAM users are swept as IAM users")
	}
	assert.Equal(t, "always()", sweep.If)
	assert.Contains(t, sweep.Run, "sweep -yes")
	assertFlagsOf(t, "sweep", sweep.Run)
	for _, name := range []string{"Summarize the measured windows", "Upload the measured windows", "Upload the reports"} {
		assert.Equal(t, "always()", steps[name].If, name)
	}
	assert.Equal(t, "measured-${{ matrix.target }}.json", steps["Upload the measured windows"].With["path"])
	assert.Contains(t, steps["Upload the reports"].With["path"], "report.json")
	assert.Contains(t, steps["Upload the reports"].With["path"], "junit.xml")

	// Never a printed secret: the only secret the workflow names is the
	// role's ARN, handed to the action that assumes it; no step traces its
	// commands or prints the environment.
	b, err := os.ReadFile(filepath.Join("..", "..", ".github", "workflows", "nightly.yml"))
	require.NoError(t, err)
	uses := regexp.MustCompile(`\$\{\{\s*secrets\.[A-Za-z0-9_]+\s*\}\}`).FindAllString(string(b), -1)
	assert.Equal(t, []string{"${{ secrets.KEYCONTRACT_AWS_ROLE_ARN }}"}, uses)
	assert.Equal(t, "${{ secrets.KEYCONTRACT_AWS_ROLE_ARN }}", steps["Assume the nightly role (OIDC)"].With["role-to-assume"])
	for name, st := range steps {
		assert.NotRegexp(t, `set -x|\benv\b|printenv|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN`, st.Run, "step %q", name)
	}
}

// assertFlagsOf fails unless every flag of a workflow's command line is
// one `keycontract cmd -h` lists.
func assertFlagsOf(t *testing.T, cmd, line string) {
	t.Helper()
	help := cli(t, cmd, "-h")
	usage := help.stdout + help.stderr
	flags := regexp.MustCompile(`(?:^|\s)(-[a-z][a-z-]*)`).FindAllStringSubmatch(line, -1)
	require.NotEmpty(t, flags)
	for _, f := range flags {
		assert.Regexp(t, `(?m)^  `+regexp.QuoteMeta(f[1])+`(\s|$)`, usage, "%s %s: not a flag of keycontract %s", cmd, f[1], cmd)
	}
}

// TestNightlyMeasuredSummary runs the summary step's script as the job
// does (bash, jq, GITHUB_STEP_SUMMARY) against a report with measured
// windows, one without (no key probed) and none at all.
func TestNightlyMeasuredSummary(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("jq not found: the nightly's summary step needs it (GitHub's runners have it)")
		}
		t.Skip("jq not found")
	}
	_, steps := nightlySteps(t)
	script := steps["Summarize the measured windows"].Run
	require.NotEmpty(t, script)
	checks := `[{"id":"two-key-limit","status":"pass"},{"id":"key-works","status":"pass","reason":""},{"id":"key-scoped","status":"pass","reason":""},{"id":"key-revoked","status":"fail","reason":""}]`
	cases := map[string]struct {
		report string // "" writes none
		want   []string
	}{
		"measured": {
			report: `{"target":{"endpoint":"https://iam.amazonaws.com","dialect":"iam"},"seed":1,"checks":` + checks +
				`,"measured":{"key_propagation_ms":{"n":4,"median":5200,"max":9100},"key_revocation_ms":{"n":4,"median":3100,"max":4800}}}`,
			want: []string{"### iam: the data plane", "| key-revoked | fail |", "| key_propagation_ms | 4 | 5200 ms | 9100 ms |", "| key_revocation_ms | 4 | 3100 ms | 4800 ms |"},
		},
		"no key probed": {
			report: `{"target":{"endpoint":"https://iam.amazonaws.com","dialect":"iam"},"seed":1,"checks":` + checks + `}`,
			want:   []string{"| key-works | pass |", "No key was probed"},
		},
		"no report": {want: []string{"### iam: no report"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if c.report != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "report.json"), []byte(c.report), 0o644))
			}
			summary := filepath.Join(dir, "summary.md")
			cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script) // GitHub's shell for run
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "TARGET=iam", "GITHUB_STEP_SUMMARY="+summary)
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, string(out))
			got, err := os.ReadFile(summary)
			require.NoError(t, err)
			for _, w := range c.want {
				assert.Contains(t, string(got), w)
			}
			if c.report == "" {
				return
			}
			var m struct {
				Checks   []map[string]any `json:"checks"`
				Measured map[string]any   `json:"measured"`
			}
			b, err := os.ReadFile(filepath.Join(dir, "measured-iam.json"))
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(b, &m))
			assert.Len(t, m.Checks, 3, "the data plane's checks only")
			assert.Equal(t, strings.Contains(c.report, "measured"), m.Measured != nil)
		})
	}
}
