package postgres_test

import (
	"fmt"

	"github.com/keyward/keyward/shared/rotation/postgres"
)

// The three roles of an alternating-users secret, from either username.
func ExampleRolesFor() {
	r, _ := postgres.RolesFor("app_clone", "")
	fmt.Println(r.Base, r.Clone, r.Owner, r.Other("app_clone"))
	_, err := postgres.RolesFor("a_name_that_is_far_too_long_to_leave_room_for_the_clone_suffix", "")
	fmt.Println(err != nil)
	// Output:
	// app app_clone app_owner app
	// true
}
