package screening

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Means ruled out by explicit answers, for cases that isolate another rule.
const noMeans = "CR01=no CR02=no CD01=no CD02=no CD03=no CD04=no CD05=no CD07=no DR01=no FL01=yes"

// TestRules checks each legal rule on its own, with the smallest answer set
// that isolates it. missing is checked when it is not nil.
func TestRules(t *testing.T) {
	tests := []struct {
		name    string
		statute string
		j       Jurisdiction
		age     *int
		answers string
		want    Label
		missing []string
	}{
		// United States: sex trafficking.
		{"minor in commercial sex, no means", "22 U.S.C. 7102(11)(A); 18 U.S.C. 1591(a)", US, nil,
			"CTX01=yes ACT01=yes PU01=yes " + noMeans, TraffickingSex, []string{}},
		{"adult in commercial sex, no means", "22 U.S.C. 7102(11)(A)", US, nil,
			"CTX01=no ACT01=yes PU01=yes " + noMeans, NotTraffickingOtherCrime, []string{}},
		{"minor, no recruiter: the buyer patronizes", "18 U.S.C. 1591(a) 'obtains, patronizes'", US, nil,
			"CTX01=yes ACT01=no ACT02=no PU01=yes " + noMeans, TraffickingSex, nil},
		{"adult, commercial sex by fraud", "22 U.S.C. 7102(11)(A) fraud", US, nil,
			"CTX01=no PU01=yes DR01=yes CD04=no", TraffickingSex, nil},
		{"adult, commercial sex by force", "22 U.S.C. 7102(11)(A) force", US, nil,
			"CTX01=no PU01=yes CD04=yes", TraffickingSex, nil},
		{"abuse of vulnerability alone is not a US means", "22 U.S.C. 7102(11)(A)", US, nil,
			"CTX01=no ACT01=yes PU01=yes VR01=yes VD01=yes CD04=no CD05=no DR01=no", NotTraffickingOtherCrime, nil},

		// United States: forced labor.
		{"minor in labor without means: no age exception", "22 U.S.C. 7102(11)(B)", US, nil,
			"CTX01=yes ACT01=yes PU08=yes EX02=yes " + noMeans, LaborExploitationNotTrafficking, []string{}},
		{"labor obtained by threats, no recruiter", "18 U.S.C. 1589(a)(2) 'obtains'", US, nil,
			"CTX01=no ACT01=no ACT02=no PU08=yes CD05=yes", TraffickingLabor, nil},
		{"threat of deportation is coercion", "18 U.S.C. 1589(a)(3)", US, nil,
			"CTX01=no PU08=yes CD07=yes CD04=no CD05=no", TraffickingLabor, nil},
		{"fraud-only labor, no servitude purpose", "22 U.S.C. 7102(11)(B)", US, nil,
			"CTX01=no PU08=yes DR01=yes CR04=no CD01=no CD02=no CD03=no CD09=no FL01=yes", LaborExploitationNotTrafficking, nil},
		{"fraud labor for debt bondage", "22 U.S.C. 7102(11)(B) 'debt bondage'", US, nil,
			"CTX01=no PU08=yes DR01=yes CR04=yes FL01=yes", TraffickingLabor, nil},
		{"fraud labor, servitude and coercion unknown", "22 U.S.C. 7102(11)(B)", US, nil,
			"CTX01=no PU08=yes DR01=yes", InsufficientInformation,
			[]string{"CR01", "CR02", "CR04", "CD01", "CD02", "CD03", "CD04", "CD05", "CD06", "CD07", "CD09", "FL01"}},
		{"forced criminality is services", "18 U.S.C. 1589(a) (interpretation)", US, nil,
			"CTX01=no PU02=yes CD05=yes", TraffickingForcedCriminality, nil},
		{"minor in criminal activity without means", "18 U.S.C. 1589(a)", US, nil,
			"CTX01=yes ACT01=yes PU02=yes " + noMeans, NotTraffickingOtherCrime, nil},
		{"forced begging is services", "18 U.S.C. 1589(a) (interpretation)", US, nil,
			"CTX01=no PU03=yes CD04=yes", TraffickingForcedBegging, nil},
		{"organ removal is not a severe form", "22 U.S.C. 7102(11); 42 U.S.C. 274e", US, nil,
			"CTX01=no ACT01=yes PU07=yes VR01=yes " + noMeans, NotTraffickingOtherCrime, nil},
		{"forced marriage without labor or commercial sex", "22 U.S.C. 7102(11)", US, nil,
			"CTX01=no PU05=yes CR03=yes PU08=no PU01=no", NotTraffickingOtherCrime, nil},

		// Mexico.
		{"minor in labor without means, art. 21", "LGPSEDMTP arts. 10 fr. IV, 21", MX, nil,
			"CTX01=yes ACT01=yes PU08=yes EX02=yes " + noMeans, TraffickingLabor, []string{}},
		{"art. 21 without means, adult", "LGPSEDMTP art. 21 fr. I", MX, nil,
			"CTX01=no ACT01=yes PU08=yes EX04=yes " + noMeans, TraffickingLabor, nil},
		{"art. 21 conditions, no act and free to leave", "LGPSEDMTP art. 21 'sometiendo'", MX, nil,
			"CTX01=no ACT01=no ACT02=no PU08=yes EX02=yes " + noMeans, LaborExploitationNotTrafficking, nil},
		{"long hours alone are not art. 21", "LGPSEDMTP art. 21 fr. IV; LFT arts. 66-68", MX, nil,
			"CTX01=no ACT01=yes PU08=yes EX01=yes EX02=no EX04=no " + noMeans, LaborExploitationNotTrafficking, nil},
		{"long hours with deductions are art. 21", "LGPSEDMTP art. 21 fr. II, IV", MX, nil,
			"CTX01=no ACT01=yes PU08=yes EX01=yes EX03=yes " + noMeans, TraffickingLabor, nil},
		{"a debt that never ends is servitude", "LGPSEDMTP arts. 10 fr. II, 12", MX, nil,
			"CTX01=no PU08=yes CD02=yes", TraffickingLabor, nil},
		{"art. 21, act and freedom unknown", "LGPSEDMTP arts. 10, 21", MX, nil,
			"CTX01=no PU08=yes EX02=yes CD05=no", InsufficientInformation, []string{"ACT01", "ACT02", "FL01"}},
		{"art. 21, act unknown but free to leave", "LGPSEDMTP art. 21 'sometiendo'", MX, nil,
			"CTX01=no PU08=yes EX02=yes CD05=no FL01=yes", LaborExploitationNotTrafficking, nil},
		{"art. 21, recruited and free to leave", "LGPSEDMTP arts. 10, 21", MX, nil,
			"CTX01=no ACT01=yes PU08=yes EX02=yes CD05=no FL01=yes", TraffickingLabor, nil},
		{"abuse of vulnerability is an art. 13 means", "LGPSEDMTP art. 13", MX, nil,
			"CTX01=no ACT01=yes PU01=yes VR01=yes VD01=yes CD04=no CD05=no DR01=no", TraffickingSex, nil},
		{"adult in commercial sex without art. 13 means", "LGPSEDMTP art. 13", MX, nil,
			"CTX01=no PU01=yes " + noMeans, NotTraffickingOtherCrime, nil},
		{"minor in criminal activity without means", "LGPSEDMTP arts. 10 fr. VII, 25", MX, nil,
			"CTX01=yes ACT01=yes PU02=yes " + noMeans, TraffickingForcedCriminality, nil},
		{"adult deceived into criminal activity: art. 22 needs force", "LGPSEDMTP art. 22", MX, nil,
			"CTX01=no ACT01=yes PU02=yes DR01=yes CD05=no FL01=yes", NotTraffickingOtherCrime, nil},
		{"begging by deception", "LGPSEDMTP art. 24", MX, nil,
			"CTX01=no PU03=yes DR01=yes CD05=no FL01=yes", TraffickingForcedBegging, nil},
		{"child used for begging", "LGPSEDMTP arts. 10 fr. VI, 24", MX, nil,
			"CTX01=yes PU03=yes " + noMeans, TraffickingForcedBegging, nil},
		{"organ removal, consent no defence", "LGPSEDMTP arts. 10 fr. X, 30, 40", MX, nil,
			"CTX01=no ACT01=yes PU07=yes VR01=yes " + noMeans, TraffickingOther, nil},
		{"forced marriage", "LGPSEDMTP arts. 10 fr. IX, 28", MX, nil,
			"CTX01=no PU05=yes PU08=no PU01=no", TraffickingOther, nil},
		{"illegal adoption", "LGPSEDMTP arts. 10 fr. VIII, 26", MX, nil,
			"CTX01=no PU06=yes", TraffickingOther, nil},

		// UN.
		{"child: act and purpose suffice", "Palermo art. 3(c)", UN, nil,
			"CTX01=yes ACT01=yes PU01=yes " + noMeans, TraffickingSex, nil},
		{"adult: abuse of vulnerability is a means", "Palermo art. 3(a)", UN, nil,
			"CTX01=no ACT01=yes PU01=yes VR01=yes CD04=no CD05=no DR01=no", TraffickingSex, nil},
		{"adult: purpose without means", "Palermo art. 3(a)", UN, nil,
			"CTX01=no ACT01=yes PU01=yes " + noMeans, NotTraffickingOtherCrime, nil},
		{"no act, child in commercial sex", "Palermo art. 3(a), 3(c)", UN, nil,
			"CTX01=yes ACT01=no ACT02=no PU01=yes " + noMeans, NotTraffickingOtherCrime, nil},
		{"forced marriage by sale", "Palermo art. 3(a); 1956 Convention art. 1(c)", UN, nil,
			"CTX01=no ACT01=yes PU05=yes CR03=yes", TraffickingOther, nil},
		{"illegal adoption alone", "Palermo art. 3(a); interpretative note", UN, nil,
			"CTX01=no ACT01=yes PU06=yes CR03=yes", NotTraffickingOtherCrime, nil},
		{"deceptive recruitment into abusive work", "Palermo art. 3(a) (interpretation)", UN, nil,
			"CTX01=no ACT01=yes PU08=yes DR01=yes EX02=yes CD05=no FL01=yes", TraffickingLabor, nil},
		{"abusive work without any means", "Palermo art. 3(a)", UN, nil,
			"CTX01=no ACT01=yes PU08=yes EX02=yes " + noMeans, LaborExploitationNotTrafficking, nil},

		// Every jurisdiction: smuggling, kidnapping, consent.
		{"smuggling only", "8 U.S.C. 1324", US, nil,
			"CTX01=no CTX02=yes SM01=yes SM02=yes SM03=yes PU08=no PU01=no FL01=yes", SmugglingOnly, nil},
		{"smuggling only", "Ley de Migración art. 159", MX, nil,
			"CTX01=no CTX02=yes SM01=yes SM02=yes SM03=yes PU08=no PU01=no FL01=yes", SmugglingOnly, nil},
		{"smuggling only", "Smuggling Protocol art. 3(a)", UN, nil,
			"CTX01=no CTX02=yes SM01=yes SM02=yes SM03=yes PU08=no PU01=no FL01=yes", SmugglingOnly, nil},
		{"paid travel with a legal entry is not smuggling", "8 U.S.C. 1324", US, nil,
			"CTX01=no CTX02=no SM01=yes PU08=no PU01=no FL01=yes", NotTraffickingOtherCrime, nil},
		{"ransom without exploitation", "18 U.S.C. 1201; 22 U.S.C. 7102(11)", US, nil,
			"CTX01=no SM04=yes SM05=yes CR01=yes PU08=no PU01=no PU02=no PU03=no", NotTraffickingOtherCrime, nil},
		{"ransom without exploitation", "Ley General en materia de Secuestro art. 9", MX, nil,
			"CTX01=no SM04=yes SM05=yes CR01=yes PU08=no PU01=no PU02=no PU03=no", NotTraffickingOtherCrime, nil},
		{"ransom with forced work in the stash house", "18 U.S.C. 1589(a)(1)", US, nil,
			"CTX01=no SM04=yes SM05=yes PU08=yes CD05=yes", TraffickingLabor, nil},
		{"consent to the crossing is irrelevant once means are used", "Palermo art. 3(b)", UN, nil,
			"CTX01=no SM01=yes SM02=yes ACT01=yes PU08=yes CD05=yes", TraffickingLabor, nil},
		{"stash-house holding unlinked to the work is not a means", "18 U.S.C. 1589(a)", US, nil,
			"CTX01=no CTX02=yes SM01=yes SM04=yes ACT01=no PU08=yes EX02=yes CD05=no FL01=yes", LaborExploitationNotTrafficking, nil},
		{"stash-house holding on a journey the employer arranged", "18 U.S.C. 1589(a)(1)", US, nil,
			"CTX01=no CTX02=yes SM01=yes SM04=yes ACT01=yes PU08=yes EX02=yes", TraffickingLabor, nil},

		// Insufficient information: each trigger names the questions that decide.
		{"purpose never asked", "22 U.S.C. 7102(11)", US, nil,
			"CTX01=no ACT01=yes CD05=yes", InsufficientInformation, []string{"PU08", "PU04", "PU01", "PU02", "PU03"}},
		{"purpose never asked", "LGPSEDMTP art. 10", MX, nil,
			"CTX01=no ACT01=yes CD05=yes", InsufficientInformation, []string{"PU08", "PU04", "PU01", "PU02", "PU03", "PU05", "PU06", "PU07"}},
		{"age unknown where it decides", "22 U.S.C. 7102(11)(A)", US, nil,
			"PU01=yes " + noMeans, InsufficientInformation, []string{"CTX01"}},
		{"age unknown where it does not matter", "22 U.S.C. 7102(11)(B)", US, nil,
			"PU08=yes CD05=yes", TraffickingLabor, []string{}},
		{"means unknown for an adult", "22 U.S.C. 7102(11)(A)", US, nil,
			"CTX01=no PU01=yes", InsufficientInformation,
			[]string{"DR01", "CR01", "CR02", "CD01", "CD02", "CD03", "CD04", "CD05", "CD06", "CD07", "CD09", "FL01"}},
		{"explicit unknown keeps a form open", "22 U.S.C. 7102(11)", US, nil,
			"CTX01=no PU08=no PU01=no PU02=unknown CD05=yes", InsufficientInformation, []string{"PU02"}},

		// unknown and declined never count as yes or as no.
		{"unknown means never count as yes", "22 U.S.C. 7102(11)(A)", US, nil,
			"CTX01=no PU01=yes CD04=unknown CD05=unknown DR01=unknown FL01=unknown", InsufficientInformation, nil},
		{"declined means never count as no", "22 U.S.C. 7102(11)(A)", US, nil,
			"CTX01=no PU01=yes CD04=declined CD05=declined DR01=declined FL01=declined", InsufficientInformation, nil},
		{"declined act never counts as no", "LGPSEDMTP arts. 10, 21", MX, nil,
			"CTX01=no PU08=yes EX02=yes ACT01=declined ACT02=declined CD05=no FL01=declined", InsufficientInformation, []string{"ACT01", "ACT02", "FL01"}},
		{"unknown age question never counts as no", "22 U.S.C. 7102(11)(A)", US, nil,
			"CTX01=unknown PU01=yes " + noMeans, InsufficientInformation, []string{"CTX01"}},

		// Counter-indicators.
		{"FL01 yes does not cancel reported force", "18 U.S.C. 1589(a)(1)", US, nil,
			"CTX01=no PU08=yes CD04=yes FL01=yes", TraffickingLabor, nil},
		{"FL01 yes alone answers the means", "22 U.S.C. 7102(11)(A)", US, nil,
			"CTX01=no PU01=yes FL01=yes", NotTraffickingOtherCrime, nil},
		{"FL01 no is a menace of penalty", "18 U.S.C. 1589(a)(2); ILO C29 art. 2(1)", US, nil,
			"CTX01=no PU08=yes FL01=no", TraffickingLabor, nil},
		{"FL02 yes does not cancel confiscated papers", "18 U.S.C. 1592", US, nil,
			"CTX01=no PU08=yes CD01=yes FL02=yes", TraffickingLabor, nil},
		{"FL02 no alone is not a means", "22 U.S.C. 7102(11)(B)", US, nil,
			"CTX01=no PU08=yes EX02=yes FL02=no CD05=no", LaborExploitationNotTrafficking, nil},

		// Age.
		{"under 18 now wins over CTX01 no", "22 U.S.C. 7102(11)(A)", US, age(16),
			"CTX01=no PU01=yes " + noMeans, TraffickingSex, nil},
		{"CTX01 yes wins over an adult age now", "22 U.S.C. 7102(11)(A)", US, age(19),
			"CTX01=yes PU01=yes " + noMeans, TraffickingSex, nil},
		{"adult now, CTX01 unanswered: adult, CTX01 could change it", "22 U.S.C. 7102(11)(A)", US, age(25),
			"PU01=yes " + noMeans, NotTraffickingOtherCrime, []string{"CTX01"}},
		{"adult now, CTX01 declined: the age at the time stays unknown", "22 U.S.C. 7102(11)(A)", US, age(25),
			"CTX01=declined PU01=yes " + noMeans, InsufficientInformation, []string{"CTX01"}},
		{"adult now, CTX01 unanswered, age cannot change it", "18 U.S.C. 1589(a)", US, age(25),
			"PU08=yes CD05=yes", TraffickingLabor, []string{}},

		// Several forms.
		{"labor found, commercial sex still open", "18 U.S.C. 1589; 1591", US, nil,
			"CTX01=no PU08=yes CD05=yes PU01=unknown", TraffickingLabor, []string{"PU01"}},
		{"the specific form wins over labor", "LGPSEDMTP art. 28", MX, nil,
			"CTX01=yes PU05=yes PU08=yes CD04=yes", TraffickingOther, nil},
	}
	for _, tt := range tests {
		t.Run(string(tt.j)+"/"+tt.name, func(t *testing.T) {
			got := evaluate(t, Input{ID: "t", Age: tt.age, Answers: answers(t, tt.answers)}, tt.j)
			if got.Determination != tt.want {
				t.Errorf("%s: got %s, want %s\n%s", tt.statute, got.Determination, tt.want, got.ExplanationEN)
			}
			if tt.missing != nil {
				if diff := cmp.Diff(tt.missing, got.Missing); diff != "" {
					t.Errorf("%s: missing (-want +got):\n%s", tt.statute, diff)
				}
			}
		})
	}
}
