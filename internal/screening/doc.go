// Package screening holds Puente's screening protocol and its legal
// determination engine.
//
// The protocol is data: sixty indicators with stable ids, questions in
// English and Spanish, the interview modules and the short form, embedded
// from protocol.yaml and parsed once by Load. The engine turns one person's
// answers into a determination under the law of the United States (TVPA,
// 22 U.S.C. 7102; 18 U.S.C. 1589 and 1591), of Mexico (Ley General para
// Prevenir, Sancionar y Erradicar los Delitos en Materia de Trata de
// Personas, "LGPSEDMTP", 2012) and of the UN Palermo and Smuggling
// Protocols, with the legal elements found, the statute, the ILO evidence
// and, when the answers cannot decide, the questions that would.
//
// The package is pure: it reads only its own embedded file and does no
// other I/O, so the CLI, the API and the web interview share one engine.
//
// # How answers count
//
// Every answer is yes, no, unknown or declined. "unknown" and "declined"
// never count as yes or as no. A legal element (act, means, purpose, age) is
// present when any indicator feeding it is yes, absent when none is yes and
// at least one is no, and unknown otherwise; when an element that would
// change the outcome is unknown the determination is
// insufficient_information, never a guess. Forms of exploitation are the one
// refinement: once the purpose questions have been asked, a form the person
// was never asked about counts as not reported, because an interview cannot
// ask every question, while an explicit unknown or declined keeps it open.
package screening
