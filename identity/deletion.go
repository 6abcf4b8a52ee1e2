package identity

import "time"

// DeletionRequest is a platform's data-deletion callback as Parley handled
// it (Meta: the user removed the app and asked for their data to go). The
// user is kept only as a hash, so the record holds no personal data; the
// code is what the platform shows the user to check the status.
type DeletionRequest struct {
	Code           string    `json:"confirmation_code"`
	UserHash       string    `json:"-"`
	Status         string    `json:"status"`
	ContactsErased int       `json:"contacts_erased"`
	RequestedAt    time.Time `json:"requested_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// DeletionCompleted is the status of a request whose data is erased.
const DeletionCompleted = "completed"
