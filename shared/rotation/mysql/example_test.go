package mysql_test

import (
	"fmt"

	"github.com/keyward/keyward/shared/rotation/mysql"
)

// A MariaDB SHOW GRANTS row replayed onto the clone: the password hash and the
// REQUIRE part go (REQUIRE is carried by ALTER USER), resource limits stay.
func ExampleRewriteGrant() {
	row := "GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*2B60' REQUIRE X509 WITH MAX_QUERIES_PER_HOUR 7"
	g, _ := mysql.RewriteGrant(row, "`app_clone`@`%`")
	fmt.Println(g)
	fmt.Println(mysql.RequireClause("CREATE USER `app`@`%` IDENTIFIED BY PASSWORD '*2B60' REQUIRE X509 WITH MAX_QUERIES_PER_HOUR 7"))
	// Output:
	// GRANT USAGE ON *.* TO `app_clone`@`%` WITH MAX_QUERIES_PER_HOUR 7
	// X509
}
