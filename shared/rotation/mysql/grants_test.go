package mysql

import "testing"

func TestRewriteGrant(t *testing.T) {
	to := "`app_clone`@`%`"
	for _, tc := range []struct{ row, want string }{
		{"GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*AEE3B2B8BD5FCF3561975A115310A99C54185BAE' REQUIRE SSL",
			"GRANT USAGE ON *.* TO `app_clone`@`%`"},
		{"GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*2B60' REQUIRE X509 WITH MAX_QUERIES_PER_HOUR 7",
			"GRANT USAGE ON *.* TO `app_clone`@`%` WITH MAX_QUERIES_PER_HOUR 7"},
		{"GRANT SELECT, INSERT ON `db`.* TO `app`@`%`", "GRANT SELECT, INSERT ON `db`.* TO `app_clone`@`%`"},
		{"GRANT SELECT ON `a TO b`.`t` TO `K``w \"O'B\\\\x`@`%` WITH GRANT OPTION",
			"GRANT SELECT ON `a TO b`.`t` TO `app_clone`@`%` WITH GRANT OPTION"},
		{"GRANT `reader` TO `app`@`%`", "GRANT `reader` TO `app_clone`@`%`"},
		{"GRANT USAGE ON *.* TO 'app'@'%' IDENTIFIED WITH 'caching_sha2_password' AS '$A$005$x WITH y' REQUIRE SSL",
			"GRANT USAGE ON *.* TO `app_clone`@`%`"},
	} {
		got, err := RewriteGrant(tc.row, to)
		if err != nil || got != tc.want {
			t.Errorf("RewriteGrant(%s)\n got %s, %v\nwant %s", tc.row, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "REVOKE ALL", "GRANT USAGE ON *.*"} {
		if _, err := RewriteGrant(bad, to); err == nil {
			t.Errorf("RewriteGrant(%q) accepted", bad)
		}
	}
}

func TestRequireClause(t *testing.T) {
	for in, want := range map[string]string{
		"CREATE USER `u`@`%` IDENTIFIED BY PASSWORD '*2B60' REQUIRE X509 WITH MAX_QUERIES_PER_HOUR 7 ACCOUNT LOCK": "X509",
		"CREATE USER `u`@`%` IDENTIFIED BY PASSWORD '*AE' REQUIRE SSL":                                             "SSL",
		"CREATE USER `u`@`%` REQUIRE ISSUER '/C=X/O=REQUIRE WITH' AND CIPHER 'EDH' PASSWORD EXPIRE DEFAULT":        "ISSUER '/C=X/O=REQUIRE WITH' AND CIPHER 'EDH'",
		"CREATE USER `u`@`%` IDENTIFIED BY PASSWORD '*AE'":                                                         "NONE",
		"CREATE USER `u`@`%` IDENTIFIED WITH 'caching_sha2_password' AS ' REQUIRE X' REQUIRE NONE ACCOUNT UNLOCK":  "NONE",
	} {
		if got := RequireClause(in); got != want {
			t.Errorf("RequireClause(%s) = %q, want %q", in, got, want)
		}
	}
}

func FuzzRewriteGrant(f *testing.F) {
	f.Add("GRANT SELECT ON `db`.* TO `app`@`%` WITH GRANT OPTION")
	f.Add("GRANT `r` TO 'a'@'b' IDENTIFIED BY PASSWORD '\\'x' REQUIRE SSL")
	f.Fuzz(func(t *testing.T, row string) {
		out, err := RewriteGrant(row, "`c`@`%`")
		if err == nil && indexOutside(out, " TO `C`@`%`", 0) < 0 {
			t.Fatalf("rewritten grant %q lost its grantee", out)
		}
	})
}
