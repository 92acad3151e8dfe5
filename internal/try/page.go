package try

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
)

// view is what the page and the terminal both show of a result.
type view struct {
	OK      bool
	Title   string
	Summary string
	Rows    []Row
	Fix     string
}

func (r Result) view() view {
	if r.Account != nil {
		return view{OK: true, Title: "Signed in with " + r.Account.Provider, Summary: r.Account.Summary(), Rows: r.Account.Rows()}
	}
	return view{Title: r.Refusal.Title, Summary: r.Refusal.Detail, Fix: r.Refusal.Fix}
}

// WriteText writes the result as the terminal shows it; with tokens, the
// tokens the exchange returned follow.
func (r Result) WriteText(w io.Writer, tokens bool) error {
	v := r.view()
	var b strings.Builder
	mark := "✘"
	if v.OK {
		mark = "✔"
	}
	fmt.Fprintf(&b, "%s %s\n  %s\n", mark, v.Title, v.Summary)
	for _, row := range v.Rows {
		fmt.Fprintf(&b, "  %-20s %s\n", row.Label, row.Value)
	}
	if v.Fix != "" {
		fmt.Fprintf(&b, "  fix: %s\n", v.Fix)
	}
	if tokens && r.Token != nil {
		idToken, _ := r.Token.Extra("id_token").(string)
		fmt.Fprintf(&b, "\nid_token:      %s\naccess_token:  %s\nrefresh_token: %s\n", idToken, r.Token.AccessToken, r.Token.RefreshToken)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>make try: {{.Title}}</title>
<style>
  body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #f6f8fa; margin: 0; }
  main { max-width: 44rem; margin: 3rem auto; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 2rem 2.5rem; }
  h1 { font-size: 1.5rem; margin: 0 0 1rem; }
  h1 .mark { display: inline-block; width: 1.8rem; height: 1.8rem; line-height: 1.8rem; text-align: center; border-radius: 50%; color: #fff; margin-right: .5rem; }
  .ok .mark { background: #1a7f37; }
  .refused .mark { background: #cf222e; }
  .summary { font-size: 1.1rem; padding: .75rem 1rem; border-radius: 6px; margin: 0 0 1.5rem; }
  .ok .summary { background: #dafbe1; }
  .refused .summary { background: #ffebe9; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; vertical-align: top; padding: .45rem .5rem; border-top: 1px solid #d0d7de; }
  th { width: 11rem; font-weight: 600; color: #59636e; }
  td { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .92rem; word-break: break-all; }
  .fix { margin: 1.5rem 0 0; }
  footer { margin-top: 1.5rem; color: #59636e; font-size: .9rem; }
</style>
</head>
<body>
<main class="{{if .OK}}ok{{else}}refused{{end}}">
<h1><span class="mark">{{if .OK}}✔{{else}}✘{{end}}</span>{{.Title}}</h1>
<p class="summary">{{.Summary}}</p>
{{if .Rows}}<table>
{{range .Rows}}<tr><th>{{.Label}}</th><td>{{.Value}}</td></tr>
{{end}}</table>{{end}}
{{if .Fix}}<p class="fix"><strong>Fix:</strong> {{.Fix}}</p>{{end}}
<footer>The terminal that runs <code>make try</code> shows the same. No token is shown here; <code>--show-tokens</code> prints them there.</footer>
</main>
</body>
</html>
`))

// writePage answers the browser with the result.
func writePage(w http.ResponseWriter, status int, r Result) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_ = page.Execute(w, r.view())
}
