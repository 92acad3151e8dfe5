package linking

import (
	"encoding/json"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// Attribute names the rules read.
const (
	AttrSub           = "sub"
	AttrEmail         = "email"
	AttrEmailVerified = "email_verified"
	// AttrSubject is the custom attribute the identity provider's attribute
	// mapping fills with Descope's subject, in its exact case.
	AttrSubject = "custom:descope_sub"
	// AttrIdentities is Cognito's JSON list of identities linked to a user.
	AttrIdentities = "identities"
)

// SourceAttributeName is the SourceUser.ProviderAttributeName of every link:
// the identity is matched on the provider's subject, whatever it is mapped to.
const SourceAttributeName = "Cognito_Subject"

// MaxLinkedIdentities is how many federated identities Cognito links to one
// user at most (AdminLinkProviderForUser: "The maximum number of federated
// identities linked to a user is five").
const MaxLinkedIdentities = 5

// Action is what the rules say to do with a federated identity.
type Action string

// Actions. The strings are the merge function's logged decision values.
const (
	// ActionLink: link the identity to Decision.Target.
	ActionLink Action = "link"
	// ActionAlreadyLinked: Decision.Target already holds this identity.
	ActionAlreadyLinked Action = "already_linked"
	// ActionNoMatch: no existing user to link to; the identity stays on its own.
	ActionNoMatch Action = "no_match"
	// ActionRefuse: linking would be unsafe; Decision.Reason says why.
	ActionRefuse Action = "refuse"
)

// Reasons. They are stable tokens, logged by the merge function and printed
// by the reconcile command; never change one without changing the metric
// filters and runbook that name it.
const (
	ReasonMissingEmail       = "missing_email"
	ReasonEmailNotVerified   = "email_not_verified"
	ReasonInvalidEmail       = "invalid_email"
	ReasonNoExistingUser     = "no_existing_user"
	ReasonMultipleCandidates = "multiple_candidates"
	ReasonCandidateDisabled  = "candidate_disabled"
	ReasonMissingSubject     = "missing_subject"
	ReasonSubjectMismatch    = "subject_mismatch"
	ReasonIdentityLimit      = "identity_limit"
	ReasonEligible           = "eligible"
	ReasonAlreadyLinked      = "identity_already_linked"
)

// Federated is what the rules need to know about a federated identity: the
// Cognito user name ("<provider>_<subject>", perhaps lowercased) and the
// attributes the provider's attribute mapping set.
type Federated struct {
	UserName      string
	Email         string
	EmailVerified string
	Subject       string
}

// FederatedFromAttributes picks the rules' inputs out of a user name and
// attribute map (a pre sign-up event's userAttributes, or a listed user's).
func FederatedFromAttributes(userName string, attrs map[string]string) Federated {
	return Federated{
		UserName:      userName,
		Email:         attrs[AttrEmail],
		EmailVerified: attrs[AttrEmailVerified],
		Subject:       attrs[AttrSubject],
	}
}

// Decision is the rules' verdict on one federated identity.
type Decision struct {
	Action Action
	Reason string
	// Target is the native user to link to (ActionLink) or already linked
	// to (ActionAlreadyLinked); nil otherwise.
	Target *types.UserType
}

// IsProviderUser reports whether userName is a federated user of provider.
// Cognito lowercases the whole user name in case-insensitive pools, so the
// "<provider>_" prefix is compared without case; a provider whose name merely
// starts with ours does not match, since the character after ours must be "_".
func IsProviderUser(provider, userName string) bool {
	prefix := provider + "_"
	return len(userName) >= len(prefix) && strings.EqualFold(userName[:len(prefix)], prefix)
}

// CheckIdentity applies the rules that need no lookup. It returns the refusal
// reason, or "" when the identity may be looked up by email.
func CheckIdentity(f Federated) string {
	switch {
	case f.Email == "":
		return ReasonMissingEmail
	case !strings.EqualFold(f.EmailVerified, "true"):
		// The account-takeover defence: only an address the provider vouches
		// for may be matched to an existing account.
		return ReasonEmailNotVerified
	case !SearchableEmail(f.Email):
		return ReasonInvalidEmail
	}
	return ""
}

// CandidateFilters are the ListUsers filters that find the users an email may
// be linked to, in order.
//
// Email case: AWS's developer guide calls user searches case-insensitive, but
// the API reference marks case sensitivity per attribute and users report
// exact-case behaviour for email. Stored addresses keep the case they were
// entered in, while many applications store them lowercased. So the exact
// federated value is queried and, when it differs, its lowercase form too;
// results are de-duplicated by user name and re-checked with IsCandidate,
// since the filter alone is never trusted. An account stored in some other
// mixed case may be missed; that errs towards not linking, never towards a
// wrong link.
func CandidateFilters(email string) []string {
	filters := []string{EmailFilter(email)}
	if lower := strings.ToLower(email); lower != email {
		filters = append(filters, EmailFilter(lower))
	}
	return filters
}

// IsCandidate re-checks a ListUsers result: a candidate is a native (not
// EXTERNAL_PROVIDER) user whose email equals email ignoring case and whose
// email_verified is "true".
func IsCandidate(u types.UserType, email string) bool {
	if u.UserStatus == types.UserStatusTypeExternalProvider {
		return false
	}
	got, haveEmail := Attribute(u, AttrEmail)
	verified, _ := Attribute(u, AttrEmailVerified)
	return haveEmail && strings.EqualFold(got, email) && strings.EqualFold(verified, "true")
}

// Candidates gathers, from the ListUsers pages of CandidateFilters, the
// distinct users (by Username) that IsCandidate accepts. Two are enough to
// refuse, so Add says when a caller may stop looking.
type Candidates struct {
	email string
	seen  map[string]struct{}
	users []types.UserType
}

// NewCandidates starts gathering the candidates for a federated email.
func NewCandidates(email string) *Candidates {
	return &Candidates{email: email, seen: make(map[string]struct{}, 2)}
}

// Add takes one page of ListUsers results and reports whether enough
// candidates are gathered to decide.
func (c *Candidates) Add(page []types.UserType) (enough bool) {
	for _, u := range page {
		if u.Username == nil || *u.Username == "" || !IsCandidate(u, c.email) {
			continue
		}
		if _, dup := c.seen[*u.Username]; dup {
			continue
		}
		c.seen[*u.Username] = struct{}{}
		c.users = append(c.users, u)
		if len(c.users) > 1 {
			return true
		}
	}
	return false
}

// Users returns the candidates gathered so far, for Decide.
func (c *Candidates) Users() []types.UserType { return c.users }

// Decide applies the rules that follow the lookup. f must have passed
// CheckIdentity; candidates are the distinct users IsCandidate accepted (two
// are enough to refuse, so a caller may stop looking after the second).
// requireExisting turns "no match" into a refusal.
//
// The identity-limit and already-linked rules read the target's identities
// attribute; a caller that did not fetch it gets neither, and Cognito's own
// answer to the link call stands in for them.
func Decide(provider string, f Federated, candidates []types.UserType, requireExisting bool) Decision {
	switch {
	case len(candidates) == 0:
		if requireExisting {
			return Decision{Action: ActionRefuse, Reason: ReasonNoExistingUser}
		}
		return Decision{Action: ActionNoMatch, Reason: ReasonNoExistingUser}
	case len(candidates) > 1:
		return Decision{Action: ActionRefuse, Reason: ReasonMultipleCandidates}
	}
	target := candidates[0]
	if !target.Enabled {
		return Decision{Action: ActionRefuse, Reason: ReasonCandidateDisabled}
	}
	// The subject is taken from the mapped attribute, exact case, never
	// rebuilt from the (possibly lowercased) user name.
	if f.Subject == "" {
		return Decision{Action: ActionRefuse, Reason: ReasonMissingSubject}
	}
	// Cognito built the user name from the same subject, perhaps lowercased.
	// If they disagree beyond case, the attribute mapping is wrong, and
	// linking would attach an identity nobody signs in with.
	if !IsProviderUser(provider, f.UserName) || !strings.EqualFold(f.UserName[len(provider)+1:], f.Subject) {
		return Decision{Action: ActionRefuse, Reason: ReasonSubjectMismatch}
	}
	identities, _ := Attribute(target, AttrIdentities)
	if IdentitiesContain(identities, provider, f.Subject) {
		return Decision{Action: ActionAlreadyLinked, Reason: ReasonAlreadyLinked, Target: &target}
	}
	if IdentityCount(identities) >= MaxLinkedIdentities {
		return Decision{Action: ActionRefuse, Reason: ReasonIdentityLimit}
	}
	return Decision{Action: ActionLink, Reason: ReasonEligible, Target: &target}
}

// Attribute returns the value of a user's attribute and whether it is set.
func Attribute(u types.UserType, name string) (string, bool) {
	for _, a := range u.Attributes {
		if a.Name != nil && *a.Name == name {
			if a.Value == nil {
				return "", true
			}
			return *a.Value, true
		}
	}
	return "", false
}

// identity is one entry of Cognito's identities attribute.
type identity struct {
	UserID       string `json:"userId"`
	ProviderName string `json:"providerName"`
}

func parseIdentities(raw string) []identity {
	if raw == "" {
		return nil
	}
	var ids []identity
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return nil
	}
	return ids
}

// IdentitiesContain reports whether a user's identities attribute (a JSON
// array of {"userId", "providerName", ...}) links exactly provider and
// subject. Unparsable values contain nothing.
func IdentitiesContain(raw, provider, subject string) bool {
	for _, id := range parseIdentities(raw) {
		if id.ProviderName == provider && id.UserID == subject {
			return true
		}
	}
	return false
}

// IdentityCount is the number of identities a user's identities attribute
// lists. An unparsable value counts as MaxLinkedIdentities, so the rules
// refuse rather than guess.
func IdentityCount(raw string) int {
	if raw == "" {
		return 0
	}
	var ids []json.RawMessage
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return MaxLinkedIdentities
	}
	return len(ids)
}
