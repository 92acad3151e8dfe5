package reconcile

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// cognitoShim sits between the command and the harness's recording proxy
// (and cognito-local behind it) and plays the parts of Cognito that
// cognito-local lacks, the way Cognito does them:
//   - it marks users named "<provider>_..." EXTERNAL_PROVIDER, as Cognito
//     marks federated users (cognito-local cannot create them), and gives
//     each its own identity in identities, as Cognito records it: the
//     provider (the longest listed name that prefixes the user name) and the
//     rest of the name as userId, unless the test seeded its identities;
//   - it answers DescribeIdentityProvider for the providers it is given;
//   - it pages ListUsers (cognito-local returns everything at once), with
//     pages shorter than Limit, as Cognito may;
//   - it keeps the identities attribute: links the proxy accepted, plus
//     seeded ones, and refuses to link a source identity whose federated
//     user still exists, as Cognito does ("Merging is not currently
//     supported");
//   - it refuses to link to a destination user that has a value for one of
//     the pool's immutable custom attributes, as Cognito does ("All
//     attributes in the DestinationUser profile must be mutable");
//   - it can deny one operation with AccessDeniedException.
type cognitoShim struct {
	URL string

	server    *http.Server
	forward   *httputil.ReverseProxy
	direct    string // cognito-local itself, for the shim's own look-ups
	providers []string
	pageCap   int

	mu         sync.Mutex
	identities map[string][]shimIdentity // user name -> its identities
	// bare are federated users listed without an identities attribute.
	bare map[string]bool
	deny string // operation answered with AccessDeniedException
}

type shimIdentity struct {
	UserID       string `json:"userId"`
	ProviderName string `json:"providerName"`
	ProviderType string `json:"providerType"`
	Primary      bool   `json:"primary"`
	DateCreated  int64  `json:"dateCreated"`
}

func startShim(t *testing.T, upstream, direct string, providers []string, pageCap int) *cognitoShim {
	t.Helper()
	target, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	s := &cognitoShim{
		direct:     direct,
		providers:  providers,
		pageCap:    pageCap,
		identities: map[string][]shimIdentity{},
		bare:       map[string]bool{},
		forward: &httputil.ReverseProxy{
			Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target) },
			Transport: &http.Transport{Proxy: nil},
		},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.server = &http.Server{Handler: http.HandlerFunc(s.serveHTTP), ReadHeaderTimeout: 5 * time.Second}
	go s.server.Serve(ln) //nolint:errcheck // Serve returns ErrServerClosed after Close.
	t.Cleanup(func() { s.server.Close() })
	return s
}

// seedIdentity links provider/subject to a native user, as an earlier link would have.
func (s *cognitoShim) seedIdentity(native, provider, subject string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.identities[native] = append(s.identities[native], shimIdentity{UserID: subject, ProviderName: provider, ProviderType: "OIDC", DateCreated: 1700000000000})
}

// listBare lists a federated user without identities, so that only its
// attributes can say whose it is.
func (s *cognitoShim) listBare(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bare[name] = true
}

func (s *cognitoShim) denyOperation(op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = op
}

func (s *cognitoShim) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		shimError(w, "InvalidParameterException", err.Error())
		return
	}
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	s.mu.Lock()
	denied := s.deny == op
	s.mu.Unlock()
	if denied {
		shimError(w, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/test is not authorized to perform: cognito-idp:"+op)
		return
	}
	switch op {
	case "DescribeIdentityProvider":
		var in struct {
			UserPoolID   string `json:"UserPoolId"`
			ProviderName string
		}
		_ = json.Unmarshal(body, &in)
		for _, p := range s.providers {
			if p == in.ProviderName {
				shimJSON(w, map[string]any{"IdentityProvider": map[string]any{"UserPoolId": in.UserPoolID, "ProviderName": p, "ProviderType": "OIDC"}})
				return
			}
		}
		shimError(w, "ResourceNotFoundException", "Identity provider "+in.ProviderName+" does not exist.")
	case "ListUsers":
		s.listUsers(w, r, body)
	case "AdminLinkProviderForUser":
		s.link(w, r, body)
	case "AdminGetUser":
		s.getUser(w, r, body)
	default:
		s.pass(w, r, body)
	}
}

func (s *cognitoShim) pass(w http.ResponseWriter, r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	s.forward.ServeHTTP(w, r)
}

// upstream sends one request through the proxy and returns status and body.
func (s *cognitoShim) upstream(r *http.Request, body []byte) (int, []byte) {
	rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
	s.pass(rec, r, body)
	return rec.status, rec.body.Bytes()
}

func (s *cognitoShim) listUsers(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		Limit           int
		PaginationToken string
	}
	_ = json.Unmarshal(body, &in)
	status, out := s.upstream(r, body)
	if status != http.StatusOK {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		w.Write(out) //nolint:errcheck // the client sees a short body.
		return
	}
	var resp struct{ Users []map[string]any }
	if err := json.Unmarshal(out, &resp); err != nil {
		shimError(w, "InternalErrorException", "shim: "+err.Error())
		return
	}
	s.mu.Lock()
	for _, u := range resp.Users {
		s.decorate(u, "Attributes")
	}
	s.mu.Unlock()
	start, _ := strconv.Atoi(in.PaginationToken)
	size := len(resp.Users) - start
	for _, limit := range []int{in.Limit, s.pageCap} {
		if limit > 0 && limit < size {
			size = limit
		}
	}
	page := map[string]any{"Users": resp.Users[start : start+size]}
	if next := start + size; next < len(resp.Users) {
		page["PaginationToken"] = strconv.Itoa(next)
	}
	shimJSON(w, page)
}

// providerOf is the longest listed provider whose "<name>_" starts userName
// (ignoring case), or "".
func (s *cognitoShim) providerOf(userName string) string {
	found := ""
	for _, p := range s.providers {
		if len(userName) > len(p)+1 && strings.EqualFold(userName[:len(p)+1], p+"_") && len(p) > len(found) {
			found = p
		}
	}
	return found
}

// getUser adds to AdminGetUser's answer what listUsers adds to ListUsers'.
func (s *cognitoShim) getUser(w http.ResponseWriter, r *http.Request, body []byte) {
	status, out := s.upstream(r, body)
	if status != http.StatusOK {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		w.Write(out) //nolint:errcheck // the client sees a short body.
		return
	}
	var u map[string]any
	if err := json.Unmarshal(out, &u); err != nil {
		shimError(w, "InternalErrorException", "shim: "+err.Error())
		return
	}
	s.mu.Lock()
	s.decorate(u, "UserAttributes")
	s.mu.Unlock()
	shimJSON(w, u)
}

// decorate marks a federated user EXTERNAL_PROVIDER and adds the identities
// the shim keeps to its attributes (field names the attribute list).
func (s *cognitoShim) decorate(u map[string]any, field string) {
	name, _ := u["Username"].(string)
	if p := s.providerOf(name); p != "" {
		u["UserStatus"] = "EXTERNAL_PROVIDER"
		if len(s.identities[name]) == 0 && !s.bare[name] {
			s.identities[name] = []shimIdentity{{UserID: name[len(p)+1:], ProviderName: p, ProviderType: "OIDC", Primary: true, DateCreated: 1700000000000}}
		}
	}
	if ids := s.identities[name]; len(ids) > 0 {
		raw, _ := json.Marshal(ids)
		attrs, _ := u[field].([]any)
		u[field] = append(attrs, map[string]any{"Name": "identities", "Value": string(raw)})
	}
}

func (s *cognitoShim) link(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		UserPoolID      string `json:"UserPoolId"`
		DestinationUser struct{ ProviderAttributeValue string }
		SourceUser      struct{ ProviderName, ProviderAttributeValue string }
	}
	_ = json.Unmarshal(body, &in)
	if s.userExists(in.UserPoolID, in.SourceUser.ProviderName+"_"+in.SourceUser.ProviderAttributeValue) {
		shimError(w, "InvalidParameterException", "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link")
		return
	}
	if s.hasImmutableAttribute(in.UserPoolID, in.DestinationUser.ProviderAttributeValue) {
		shimError(w, "InvalidParameterException", "DestinationUser has immutable attributes")
		return
	}
	s.mu.Lock()
	for _, id := range s.identities[in.DestinationUser.ProviderAttributeValue] {
		if id.ProviderName == in.SourceUser.ProviderName && id.UserID == in.SourceUser.ProviderAttributeValue {
			s.mu.Unlock()
			shimError(w, "InvalidParameterException", "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser")
			return
		}
	}
	s.mu.Unlock()
	status, out := s.upstream(r, body)
	if status == http.StatusOK {
		s.seedIdentity(in.DestinationUser.ProviderAttributeValue, in.SourceUser.ProviderName, in.SourceUser.ProviderAttributeValue)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	w.Write(out) //nolint:errcheck // the client sees a short body.
}

// userExists asks cognito-local directly, so the look-up is not recorded as
// the command's call.
func (s *cognitoShim) userExists(pool, username string) bool {
	status, _ := s.call("AdminGetUser", map[string]string{"UserPoolId": pool, "Username": username})
	return status == http.StatusOK
}

// hasImmutableAttribute reports whether a user has a value for an immutable
// custom attribute of the pool's schema, read from cognito-local directly.
func (s *cognitoShim) hasImmutableAttribute(pool, username string) bool {
	_, poolOut := s.call("DescribeUserPool", map[string]string{"UserPoolId": pool})
	var described struct {
		UserPool struct {
			SchemaAttributes []struct {
				Name    string
				Mutable *bool
			}
		}
	}
	_ = json.Unmarshal(poolOut, &described)
	_, userOut := s.call("AdminGetUser", map[string]string{"UserPoolId": pool, "Username": username})
	var user struct{ UserAttributes []struct{ Name string } }
	_ = json.Unmarshal(userOut, &user)
	for _, a := range described.UserPool.SchemaAttributes {
		if a.Mutable == nil || *a.Mutable || !strings.HasPrefix(a.Name, "custom:") {
			continue
		}
		for _, ua := range user.UserAttributes {
			if ua.Name == a.Name {
				return true
			}
		}
	}
	return false
}

// call makes one call straight to cognito-local and returns its status
// and body.
func (s *cognitoShim) call(op string, in any) (int, []byte) {
	body, _ := json.Marshal(in)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.direct, bytes.NewReader(body))
	if err != nil {
		return 0, nil
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	resp, err := (&http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}).Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }

func shimJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client sees a short body.
}

func shimError(w http.ResponseWriter, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message}) //nolint:errcheck // the client sees a short body.
}
