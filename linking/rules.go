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
	// ReasonFederatedUserDisabled: an administrator disabled the federated
	// user; merging it would give that identity access again.
	ReasonFederatedUserDisabled = "federated_user_disabled"
	// ReasonFederatedUserHasLinks: the federated user is itself a link
	// destination (its identities list more than its own, or cannot be
	// read); deleting it would drop those links.
	ReasonFederatedUserHasLinks = "federated_user_has_links"
	// ReasonImmutableAttribute: the target has a value for an immutable
	// custom attribute, and AdminLinkProviderForUser refuses such a
	// destination ("All attributes in the DestinationUser profile must be
	// mutable").
	ReasonImmutableAttribute = "immutable_attribute"
)

// Where the subject of a link came from, for the reconcile table.
const (
	SubjectFromAttribute  = "attribute"
	SubjectFromIdentities = "identities"
	SubjectFromBoth       = "attribute+identities"
	// SubjectConflict: the attribute and identities name different subjects.
	SubjectConflict = "conflict"
	// SubjectNone: neither holds one.
	SubjectNone = "none"
)

// Federated is what the rules need to know about a federated identity: the
// Cognito user name ("<provider>_<subject>", perhaps lowercased) and the
// attributes the provider's attribute mapping set.
type Federated struct {
	UserName      string
	Email         string
	EmailVerified string
	// Subject is custom:descope_sub, the subject in its exact case. Users
	// that Descope sign-ins created before adoption added the attribute
	// lack it.
	Subject string
	// Identities is the user's identities attribute. An existing federated
	// user has it (Cognito records its own identity there, with the
	// provider's subject as userId); a pre sign-up event does not.
	Identities string
	// Disabled is set for an existing federated user an administrator
	// disabled.
	Disabled bool
}

// FederatedFromAttributes picks the rules' inputs out of a user name and
// attribute map (a pre sign-up event's userAttributes, or a listed user's).
func FederatedFromAttributes(userName string, attrs map[string]string) Federated {
	return Federated{
		UserName:      userName,
		Email:         attrs[AttrEmail],
		EmailVerified: attrs[AttrEmailVerified],
		Subject:       attrs[AttrSubject],
		Identities:    attrs[AttrIdentities],
	}
}

// FederatedFromUser picks the rules' inputs out of a listed federated user.
func FederatedFromUser(u types.UserType) Federated {
	attrs := make(map[string]string, len(u.Attributes))
	for _, a := range u.Attributes {
		if a.Name != nil && a.Value != nil {
			attrs[*a.Name] = *a.Value
		}
	}
	name := ""
	if u.Username != nil {
		name = *u.Username
	}
	f := FederatedFromAttributes(name, attrs)
	f.Disabled = !u.Enabled
	return f
}

// Policy is what the rules need to know about the pool and its settings.
type Policy struct {
	// Provider is the name of Descope's identity provider in the pool.
	Provider string
	// RequireExistingUser turns "no match" into a refusal.
	RequireExistingUser bool
	// ImmutableAttributes are the pool's custom attributes that its schema
	// marks immutable ("custom:x", from DescribeUserPool). A caller that did
	// not read the schema leaves it empty, and Cognito's answer to the link
	// call stands in for the rule.
	ImmutableAttributes []string
}

// Decision is the rules' verdict on one federated identity.
type Decision struct {
	Action Action
	Reason string
	// Target is the native user to link to (ActionLink) or already linked
	// to (ActionAlreadyLinked); nil otherwise.
	Target *types.UserType
	// Subject is the identity's subject in its exact case, and
	// SubjectSource where it came from; set once the rules got as far as
	// reading it.
	Subject       string
	SubjectSource string
}

// IsProviderUser reports whether f is a federated user of provider. Cognito
// names a federated user "<ProviderName>_<subject>" and lowercases the whole
// name in case-insensitive pools, so the "<provider>_" prefix is compared
// without (ASCII) case. A prefix alone cannot tell provider "Descope" from
// "Descope_Staging", so:
//   - an existing user's identities attribute decides: its own identity (the
//     entry its name was built from) must be provider's, exactly;
//   - in a pre sign-up event, which has no identities, a name that is
//     "<provider>_<more>_<subject>" for the mapped subject belongs to a
//     provider named "<provider>_<more>".
func IsProviderUser(provider string, f Federated) bool {
	prefix := provider + "_"
	if len(f.UserName) <= len(prefix) || !EqualFoldASCII(f.UserName[:len(prefix)], prefix) {
		return false
	}
	if f.Identities != "" {
		if ids, ok := parseIdentities(f.Identities); ok {
			own, found := ownIdentity(f.UserName, ids)
			return found && own.ProviderName == provider
		}
		// Unreadable: CheckIdentity refuses it.
		return true
	}
	rest := f.UserName[len(prefix):]
	return f.Subject == "" || EqualFoldASCII(rest, f.Subject) || !hasSuffixFoldASCII(rest, "_"+f.Subject)
}

// CheckIdentity applies the rules that need no lookup. It returns the refusal
// reason, or "" when the identity may be looked up by email.
func CheckIdentity(f Federated) string {
	switch {
	case f.Disabled:
		return ReasonFederatedUserDisabled
	case hasLinks(f.Identities):
		return ReasonFederatedUserHasLinks
	case f.Email == "":
		return ReasonMissingEmail
	case !EqualFoldASCII(f.EmailVerified, "true"):
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
	if lower := LowerASCII(email); lower != email {
		filters = append(filters, EmailFilter(lower))
	}
	return filters
}

// IsCandidate re-checks a ListUsers result: a candidate is a native (not
// EXTERNAL_PROVIDER) user whose email equals email ignoring ASCII case (see
// EqualEmail) and whose email_verified is "true".
func IsCandidate(u types.UserType, email string) bool {
	if u.UserStatus == types.UserStatusTypeExternalProvider {
		return false
	}
	got, haveEmail := Attribute(u, AttrEmail)
	verified, _ := Attribute(u, AttrEmailVerified)
	return haveEmail && EqualEmail(got, email) && EqualFoldASCII(verified, "true")
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
//
// The identity-limit and already-linked rules read the target's identities
// attribute, and the immutable-attribute rule its attributes and
// p.ImmutableAttributes; a caller that did not fetch them gets none of
// these, and Cognito's own answer to the link call stands in for them.
func Decide(p Policy, f Federated, candidates []types.UserType) Decision {
	switch {
	case len(candidates) == 0:
		if p.RequireExistingUser {
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
	subject, source, reason := ResolveSubject(p.Provider, f)
	refuse := func(reason string) Decision {
		return Decision{Action: ActionRefuse, Reason: reason, Subject: subject, SubjectSource: source}
	}
	if reason != "" {
		return refuse(reason)
	}
	identities, _ := Attribute(target, AttrIdentities)
	if IdentitiesContain(identities, p.Provider, subject) {
		return Decision{Action: ActionAlreadyLinked, Reason: ReasonAlreadyLinked, Target: &target, Subject: subject, SubjectSource: source}
	}
	if IdentityCount(identities) >= MaxLinkedIdentities {
		return refuse(ReasonIdentityLimit)
	}
	if HasImmutableAttribute(target, p.ImmutableAttributes) {
		return refuse(ReasonImmutableAttribute)
	}
	return Decision{Action: ActionLink, Reason: ReasonEligible, Target: &target, Subject: subject, SubjectSource: source}
}

// ResolveSubject finds the identity's subject in its exact case, never
// rebuilding it from the (possibly lowercased) user name. Two places hold it:
// custom:descope_sub, which the attribute mapping fills at every sign-in
// since adoption, and, on an existing user, the userId of the provider's own
// entry in identities, which Cognito records from the subject the provider
// sent (the value AdminLinkProviderForUser's Cognito_Subject matches).
// Users created before adoption have only the second. It refuses when
// neither holds a subject, when they disagree, or when the subject does not
// match the user name ignoring ASCII case (a mis-mapped attribute, whose
// link would attach an identity nobody signs in with).
func ResolveSubject(provider string, f Federated) (subject, source, reason string) {
	fromIdentities := ""
	if ids, ok := parseIdentities(f.Identities); ok {
		if own, found := ownIdentity(f.UserName, ids); found && own.ProviderName == provider {
			fromIdentities = own.UserID
		}
	}
	switch {
	case f.Subject == "" && fromIdentities == "":
		return "", SubjectNone, ReasonMissingSubject
	case f.Subject != "" && fromIdentities != "" && f.Subject != fromIdentities:
		return "", SubjectConflict, ReasonSubjectMismatch
	case f.Subject != "" && fromIdentities != "":
		subject, source = f.Subject, SubjectFromBoth
	case f.Subject != "":
		subject, source = f.Subject, SubjectFromAttribute
	default:
		subject, source = fromIdentities, SubjectFromIdentities
	}
	prefix := provider + "_"
	if len(f.UserName) <= len(prefix) || !EqualFoldASCII(f.UserName[:len(prefix)], prefix) || !EqualFoldASCII(f.UserName[len(prefix):], subject) {
		return subject, source, ReasonSubjectMismatch
	}
	return subject, source, ""
}

// HasImmutableAttribute reports whether u has a value for any of the named
// attributes. AdminLinkProviderForUser: "If you have assigned the user any
// immutable custom attributes, the operation won't succeed", so only an
// attribute the user actually has counts.
func HasImmutableAttribute(u types.UserType, immutable []string) bool {
	for _, name := range immutable {
		if _, ok := Attribute(u, name); ok {
			return true
		}
	}
	return false
}

// ImmutableCustomAttributes names the custom attributes of a pool's schema
// (DescribeUserPool's SchemaAttributes) that are not mutable, as users carry
// them ("custom:x"). Standard attributes are left out: sub is immutable on
// every user, and links to such users work.
func ImmutableCustomAttributes(schema []types.SchemaAttributeType) []string {
	var names []string
	for _, a := range schema {
		if a.Name == nil || a.Mutable == nil || *a.Mutable {
			continue
		}
		name := strings.TrimPrefix(*a.Name, "dev:")
		if strings.HasPrefix(name, "custom:") {
			names = append(names, name)
		}
	}
	return names
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

// parseIdentities reads an identities attribute; ok is false for a value
// that is not a JSON array of identities. An empty value is an empty list.
func parseIdentities(raw string) (ids []identity, ok bool) {
	if raw == "" {
		return nil, true
	}
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return nil, false
	}
	return ids, true
}

// ownIdentity is the entry a federated user's name was built from:
// "<providerName>_<userId>", compared ignoring ASCII case since
// case-insensitive pools lowercase the name.
func ownIdentity(userName string, ids []identity) (identity, bool) {
	for _, id := range ids {
		if id.ProviderName != "" && EqualFoldASCII(userName, id.ProviderName+"_"+id.UserID) {
			return id, true
		}
	}
	return identity{}, false
}

// hasLinks reports whether a federated user's identities list more than its
// own identity, or cannot be read: such a user is a link destination.
func hasLinks(raw string) bool {
	ids, ok := parseIdentities(raw)
	return !ok || len(ids) > 1
}

// IdentitiesContain reports whether a user's identities attribute (a JSON
// array of {"userId", "providerName", ...}) links exactly provider and
// subject. Unparsable values contain nothing.
func IdentitiesContain(raw, provider, subject string) bool {
	ids, _ := parseIdentities(raw)
	for _, id := range ids {
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
