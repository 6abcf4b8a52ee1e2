package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel/meta/connect"
	"github.com/parleyhq/parley/identity"
)

// Meta calls the app's data-deletion callback when a user removes the app
// and asks for their data to be deleted (PLATFORMS.md §9): a form POST
// with signed_request, signed with the app secret. Parley erases every
// contact known by that user id on a Meta channel, through the same
// erasure as an admin's, and answers where the user can check the status.

// metaUserKinds are the identities a Meta user id can be. The id in the
// signed request is app-scoped: it matches the Page- and Instagram-scoped
// ids of messaging only where Meta uses the same id (UNVERIFIED in
// general), so a user not found is answered as completed with nothing
// erased, which is the truth.
var metaUserKinds = []parley.IdentityKind{parley.IdentityMessenger, parley.IdentityInstagram, parley.IdentityFacebook}

// deletionAnswer is what Meta expects back.
type deletionAnswer struct {
	URL              string `json:"url"`
	ConfirmationCode string `json:"confirmation_code"`
}

// deletionStore is what the callback needs of the store.
type deletionStore interface {
	FindContactsByIdentity(ctx context.Context, kinds []parley.IdentityKind, value string) ([]int64, error)
	EraseContact(ctx context.Context, contactID, agentID int64) (*identity.ErasureReport, error)
	RecordDeletionRequest(ctx context.Context, req *identity.DeletionRequest) error
	FindDeletionRequest(ctx context.Context, code string) (*identity.DeletionRequest, error)
}

func (s *Server) deletionStore() (deletionStore, error) {
	st, ok := s.store.(deletionStore)
	if !ok || !s.cfg.Meta.enabled() {
		return nil, parley.Errorf(parley.ENOTFOUND, "no such webhook")
	}
	return st, nil
}

func (s *Server) handleMetaDataDeletion(w http.ResponseWriter, r *http.Request) {
	st, err := s.deletionStore()
	var sr connect.SignedRequest
	if err == nil {
		sr, err = s.signedRequest(w, r)
	}
	var req *identity.DeletionRequest
	if err == nil {
		req, err = s.eraseMetaUser(r, st, sr.UserID.String())
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, deletionAnswer{URL: s.cfg.Meta.publicURL() + "/hooks/meta/data-deletion/" + url.PathEscape(req.Code),
		ConfirmationCode: req.Code})
}

// signedRequest reads and verifies the form's signed_request: 401 on a
// bad signature, 400 on a malformed one.
func (s *Server) signedRequest(w http.ResponseWriter, r *http.Request) (connect.SignedRequest, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxWebhookBytes)
	if err := r.ParseForm(); err != nil {
		return connect.SignedRequest{}, parley.WrapError(parley.EINVALID, err, "the body is not a form")
	}
	signed := r.PostForm.Get("signed_request")
	if signed == "" {
		return connect.SignedRequest{}, parley.Errorf(parley.EINVALID, "signed_request is required")
	}
	sr, err := connect.ParseSignedRequest(s.cfg.Meta.AppSecret, signed)
	if err != nil {
		return sr, err
	}
	if sr.UserID.String() == "" {
		return sr, parley.Errorf(parley.EINVALID, "signed_request names no user_id")
	}
	return sr, nil
}

func (s *Server) eraseMetaUser(r *http.Request, st deletionStore, userID string) (*identity.DeletionRequest, error) {
	ctx := r.Context()
	contacts, err := st.FindContactsByIdentity(ctx, metaUserKinds, userID)
	if err != nil {
		return nil, err
	}
	for _, id := range contacts {
		rep, err := st.EraseContact(ctx, id, 0)
		if err != nil {
			return nil, err
		}
		s.deleteErasedFiles(r, rep.AttachmentKeys)
		if err := s.purgeContactData(ctx, id); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256([]byte("meta-user\x00" + userID))
	req := &identity.DeletionRequest{Code: randomHex(12), UserHash: hex.EncodeToString(sum[:12]), Status: identity.DeletionCompleted,
		ContactsErased: len(contacts)}
	if err := st.RecordDeletionRequest(ctx, req); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "meta data-deletion request handled", "confirmation_code", req.Code, "contacts_erased", len(contacts))
	return req, nil
}

// handleMetaDataDeletionStatus is the status page the user is sent to.
func (s *Server) handleMetaDataDeletionStatus(w http.ResponseWriter, r *http.Request) {
	st, err := s.deletionStore()
	var req *identity.DeletionRequest
	if err == nil {
		req, err = st.FindDeletionRequest(r.Context(), r.PathValue("code"))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, req)
}
