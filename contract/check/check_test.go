package check_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/keycontract/keycontract/contract/check"
)

// TestEveryCheckIsDescribed: each ID is listed once, in report order, with
// a sentinel that reads as the ID and a one-line meaning.
func TestEveryCheckIsDescribed(t *testing.T) {
	seen := map[check.ID]bool{}
	for i, info := range check.All() {
		assert.False(t, seen[info.ID], "%s listed twice", info.ID)
		seen[info.ID] = true
		assert.Equal(t, info.ID, check.IDs()[i])
		assert.Equal(t, string(info.ID), check.Names()[i])
		assert.Equal(t, string(info.ID), info.Err.Error(), "the sentinel reads as its ID")
		assert.True(t, errors.Is(info.ID.Err(), info.Err))
		assert.NotEmpty(t, info.ID.Meaning())
		assert.NotContains(t, info.ID.Meaning(), "\n", "a meaning is one line")
	}
	assert.Len(t, seen, 15)
}

// TestParse: a known ID parses to itself; an unknown one is refused with
// every known ID named.
func TestParse(t *testing.T) {
	id, err := check.Parse("two-key-limit")
	require.NoError(t, err)
	assert.Equal(t, check.TwoKeyLimit, id)
	_, err = check.Parse("three-key-limit")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown check "three-key-limit"`)
	for _, name := range check.Names() {
		assert.Contains(t, err.Error(), name)
	}
	assert.Nil(t, check.ID("three-key-limit").Err())
	assert.Empty(t, check.ID("three-key-limit").Meaning())
}
