package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/parleyhq/parley"
)

// The OpenAPI 3.1 document is built from routeTable, and its schemas from
// the Go types by reflection, so it describes exactly what is served.

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	s.openapiOnce.Do(func() {
		var err error
		if s.openapiJSON, err = json.Marshal(s.openAPIDocument()); err != nil {
			panic(err) // the document is built from static values: a bug
		}
	})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(s.openapiJSON)
}

type object = map[string]any

// openAPIDocument describes every route of the table.
func (s *Server) openAPIDocument() object {
	sb := &schemaBuilder{components: object{}}
	sb.components["Error"] = sb.schemaOf(reflect.TypeFor[ErrorBody]())
	paths := object{}
	for _, rt := range s.routes {
		item, _ := paths[rt.path].(object)
		if item == nil {
			item = object{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = sb.operation(rt)
	}
	return object{
		"openapi": "3.1.0",
		"info": object{
			"title": "Parley API", "version": parley.Version,
			"description": "Parley's REST API. Lists return {items, next_cursor}; errors return {error: {code, message, details?}}.",
		},
		"paths": paths,
		"components": object{
			"schemas": sb.components,
			"securitySchemes": object{
				"session": object{"type": "apiKey", "in": "cookie", "name": sessionCookie,
					"description": "Set by POST /api/v1/auth/login. Unsafe cross-origin requests with it are refused."},
				"apiToken": object{"type": "http", "scheme": "bearer", "description": "An API token (pt_…) from POST /api/v1/tokens."},
			},
		},
	}
}

var pathParam = regexp.MustCompile(`\{([A-Za-z]+)\}`)

func (sb *schemaBuilder) operation(rt route) object {
	d := rt.doc
	op := object{"summary": d.summary, "operationId": operationID(rt), "tags": []string{d.tag}}
	var params []object
	for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
		typ := "string"
		if strings.HasSuffix(strings.ToLower(m[1]), "id") {
			typ = "integer"
		}
		params = append(params, object{"name": m[1], "in": "path", "required": true, "schema": object{"type": typ}})
	}
	for _, p := range d.query {
		params = append(params, queryParamDoc(p))
	}
	if params != nil {
		op["parameters"] = params
	}
	if d.upload {
		op["requestBody"] = object{"required": true, "content": object{"multipart/form-data": object{"schema": object{
			"type": "object", "required": []string{"file"}, "properties": object{"file": object{"type": "string", "contentMediaType": "application/octet-stream"}}}}}}
	}
	if d.body != nil {
		op["requestBody"] = object{"required": true, "content": object{
			"application/json": object{"schema": sb.schemaOf(reflect.TypeOf(d.body))}}}
	}
	op["responses"] = sb.responses(rt)
	if rt.access == accessPublic {
		op["security"] = []object{}
	} else {
		op["security"] = []object{{"session": []string{}}, {"apiToken": []string{}}}
	}
	return op
}

func queryParamDoc(p param) object {
	schema := object{"type": p.typ}
	if p.enum != nil {
		if p.typ == "integer" {
			schema["enum"] = intEnum(p.enum)
		} else {
			schema["enum"] = p.enum
		}
	}
	if p.repeat {
		schema = object{"type": "array", "items": schema}
	}
	doc := object{"name": p.name, "in": "query", "schema": schema, "required": p.required}
	if p.repeat {
		doc["style"], doc["explode"] = "form", true
	}
	if p.desc != "" {
		doc["description"] = p.desc
	}
	return doc
}

func intEnum(vals []string) []int {
	out := make([]int, len(vals))
	for i, v := range vals {
		for _, c := range v {
			out[i] = out[i]*10 + int(c-'0')
		}
	}
	return out
}

func (sb *schemaBuilder) responses(rt route) object {
	d := rt.doc
	status := d.status
	if status == 0 {
		status = http.StatusOK
	}
	ok := object{"description": http.StatusText(status)}
	switch {
	case d.resp != nil && d.list:
		ok["content"] = object{"application/json": object{"schema": object{
			"type": "object", "required": []string{"items", "next_cursor"},
			"properties": object{
				"items":       object{"type": "array", "items": sb.schemaOf(reflect.TypeOf(d.resp))},
				"next_cursor": object{"type": "string", "description": "empty on the last page"},
			}}}}
	case d.resp != nil:
		ok["content"] = object{"application/json": object{"schema": sb.schemaOf(reflect.TypeOf(d.resp))}}
	case d.content != "":
		ok["content"] = object{d.content: object{"schema": object{}}}
	}
	errResp := func(desc string) object {
		return object{"description": desc, "content": object{"application/json": object{"schema": object{"$ref": "#/components/schemas/Error"}}}}
	}
	out := object{statusKey(status): ok, "default": errResp("error: see the code→status table")}
	if rt.access != accessPublic {
		out["401"] = errResp("not signed in, or the session or token is invalid")
	}
	if rt.access == accessAdmin {
		out["403"] = errResp("admins only")
	}
	if rt.method == http.MethodPatch && rt.path == "/api/v1/conversations/{id}" {
		out["409"] = object{"description": "stale version: details holds the current conversation",
			"content": object{"application/json": object{"schema": object{"$ref": "#/components/schemas/Error"}}}}
	}
	return out
}

func statusKey(code int) string {
	return string(rune('0'+code/100)) + string(rune('0'+code/10%10)) + string(rune('0'+code%10))
}

// operationID is camelCase of method and path: "patchApiV1ConversationsId".
func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, part := range strings.FieldsFunc(rt.path, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// schemaBuilder turns Go types into JSON Schema, registering named structs
// as components.
type schemaBuilder struct {
	components object
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
)

// enums lists the values of the domain's string and integer enumerations.
var enums = map[reflect.Type][]any{
	reflect.TypeFor[parley.Status]():        {"open", "pending", "snoozed", "resolved", "closed"},
	reflect.TypeFor[parley.Priority]():      {0, 1, 2, 3},
	reflect.TypeFor[parley.Role]():          {"admin", "supervisor", "agent"},
	reflect.TypeFor[parley.Presence]():      {"online", "away", "offline"},
	reflect.TypeFor[parley.ChannelStatus](): {"active", "disconnected", "disabled"},
	reflect.TypeFor[parley.Direction]():     {"in", "out", "internal"},
	reflect.TypeFor[parley.MessageKind]():   {"text", "media", "note", "activity", "call", "survey", "template"},
	reflect.TypeFor[parley.MessageStatus](): {"received", "queued", "sending", "sent", "delivered", "read", "failed"},
	reflect.TypeFor[parley.IdentityKind]():  {"phone", "email", "messenger", "instagram", "facebook", "whatsapp", "telegram", "widget", "external"},
	reflect.TypeFor[parley.Platform]():      toAny(platformNames()),
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func (sb *schemaBuilder) schemaOf(t reflect.Type) object {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if vals, ok := enums[t]; ok {
		typ := "string"
		if t.Kind() != reflect.String {
			typ = "integer"
		}
		return object{"type": typ, "enum": vals}
	}
	switch {
	case t == timeType:
		return object{"type": "string", "format": "date-time"}
	case t == durationType:
		return object{"type": "integer", "description": "nanoseconds"}
	}
	switch t.Kind() {
	case reflect.String:
		return object{"type": "string"}
	case reflect.Bool:
		return object{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return object{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return object{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return object{"type": "string", "contentEncoding": "base64"}
		}
		return object{"type": "array", "items": sb.schemaOf(t.Elem())}
	case reflect.Map:
		vs := sb.schemaOf(t.Elem())
		if t.Elem().Kind() == reflect.Pointer {
			vs = object{"anyOf": []any{vs, object{"type": "null"}}, "description": "null deletes the key"}
		}
		return object{"type": "object", "additionalProperties": vs}
	case reflect.Struct:
		return sb.structRef(t)
	}
	return object{} // interfaces (error details): any JSON
}

// structRef registers t as a component (once) and returns a reference.
func (sb *schemaBuilder) structRef(t reflect.Type) object {
	name := componentName(t)
	if _, done := sb.components[name]; !done {
		sb.components[name] = object{} // placeholder: stops recursion (Conversation → Contact → …)
		props, required := object{}, []string{}
		sb.addFields(t, props, &required)
		schema := object{"type": "object", "properties": props}
		if len(required) > 0 {
			schema["required"] = required
		}
		sb.components[name] = schema
	}
	return object{"$ref": "#/components/schemas/" + name}
}

func (sb *schemaBuilder) addFields(t reflect.Type, props object, required *[]string) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() && !f.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			sb.addFields(ft, props, required)
			continue
		}
		if name == "" {
			name = f.Name
		}
		schema := sb.schemaOf(f.Type)
		optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		if !optional {
			*required = append(*required, name)
			switch f.Type.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map: // Go may encode these as null
				schema = object{"anyOf": []any{schema, object{"type": "null"}}}
			}
		}
		props[name] = schema
	}
}

// componentName is the type's name with a capital letter; request types of
// this package are lower-case in Go.
func componentName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = name[:i]
	}
	return strings.ToUpper(name[:1]) + name[1:]
}
