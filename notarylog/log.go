// Package notarylog reads Apple's notary log (the JSON `xcrun notarytool
// log` prints) and explains it: which notarylint rule each issue is, and
// what the submission's status means.
package notarylog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Log is a notary log, logFormatVersion 1. Fields the log has and this
// type does not name are ignored.
type Log struct {
	LogFormatVersion int    `json:"logFormatVersion"`
	JobID            string `json:"jobId"`
	Status           string `json:"status"`
	StatusSummary    string `json:"statusSummary"`
	StatusCode       int    `json:"statusCode"`
	ArchiveFilename  string `json:"archiveFilename"`
	UploadDate       string `json:"uploadDate"`
	SHA256           string `json:"sha256"`
	// TicketContents lists what the ticket covers; nil when the log has
	// "ticketContents": null (no ticket was issued).
	TicketContents []Ticket `json:"ticketContents"`
	Issues         []Issue  `json:"issues"`
}

// Ticket is one item a ticket covers: a code item's cdhash for one
// architecture (or a package's or disk image's own digest).
type Ticket struct {
	Path            string `json:"path"`
	DigestAlgorithm string `json:"digestAlgorithm"`
	CDHash          string `json:"cdhash"`
	Arch            string `json:"arch"`
}

// Issue is one problem the service reported.
type Issue struct {
	Severity     string          `json:"severity"`
	Code         json.RawMessage `json:"code"`
	Path         string          `json:"path"`
	Message      string          `json:"message"`
	DocURL       string          `json:"docUrl"`
	Architecture string          `json:"architecture"`
}

// MaxSize bounds a log file.
const MaxSize = 64 << 20

// ErrNotLog marks input that is not a notary log.
var ErrNotLog = errors.New("not a notary log")

// Parse reads a notary log. It fails with ErrNotLog, and the reason, when
// b is not one: not a JSON object, or an object with none of the log's
// identifying fields.
func Parse(b []byte) (*Log, error) {
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrNotLog, len(b), MaxSize)
	}
	var probe map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&probe); err != nil {
		return nil, fmt.Errorf("%w: %v (at byte %d)", ErrNotLog, err, dec.InputOffset())
	}
	_, hasVersion := probe["logFormatVersion"]
	_, hasStatus := probe["status"]
	_, hasJob := probe["jobId"]
	_, hasIssues := probe["issues"]
	_, hasTicket := probe["ticketContents"]
	if !hasVersion && !(hasStatus && (hasJob || hasIssues || hasTicket)) {
		return nil, fmt.Errorf("%w: a JSON object without logFormatVersion, status, jobId, issues or ticketContents", ErrNotLog)
	}
	var l Log
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotLog, err)
	}
	return &l, nil
}
