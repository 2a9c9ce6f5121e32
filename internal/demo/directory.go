package demo

import (
	"context"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"puente/internal/account"
	"puente/internal/directory"
)

// DirectoryStore is what seeding the demo directory needs.
type DirectoryStore interface {
	SaveListing(ctx context.Context, l *directory.Listing) error
}

// SeedDirectory saves the demo services directory (see Listings) and
// returns how many listings it saved. The store must have its keyring,
// since confidential locations are sealed.
func SeedDirectory(ctx context.Context, s DirectoryStore, now time.Time) (int, error) {
	ls := Listings(now)
	for i := range ls {
		if err := s.SaveListing(ctx, &ls[i]); err != nil {
			return i, fmt.Errorf("seed demo directory: %s: %w", ls[i].Service.Name, err)
		}
	}
	return len(ls), nil
}

// Listings builds the demo directory: some sixty fictional services in five
// pairs of twin cities, with bed counts taken at now (one is five days old,
// so stale). It returns new values on every call.
//
// The gaps are on purpose, for they are the border's and what the gap
// report exists to show: most shelters take only women, or only survivors
// of sex trafficking; the only shelters that take adult men are in Mexico
// (none in El Paso, one for men in Ciudad Juárez); one service in the whole
// network speaks Mam or K'iche'; some services require legal immigration
// status; only US legal aid handles T visas; two shelters are full today;
// the clinic in Nogales, Arizona, is temporarily closed.
func Listings(now time.Time) []directory.Listing {
	out := make([]directory.Listing, len(services))
	for i := range services {
		out[i] = services[i].listing(now)
	}
	return out
}

// city is one side of a pair of twin cities. The point is the population
// centre of the US county (Census 2010) or the seat of the Mexican
// municipio (INEGI), from shared/data/geo; side is the direction, north
// (+1) or south (-1), in which locations are moved off it, so that none
// lands across the border.
type city struct {
	name, state, postal, dial string
	country                   account.Country
	area                      string
	lat, lon                  float64
	side                      float64
}

var (
	elPaso      = &city{"El Paso", "TX", "79901", "915", account.US, "US-48141", 31.782045, -106.375936, 1}
	juarez      = &city{"Ciudad Juárez", "Chihuahua", "32000", "656", account.MX, "MX-08037", 31.746465, -106.485018, -1}
	mcAllen     = &city{"McAllen", "TX", "78501", "956", account.US, "US-48215", 26.232452, -98.184054, 1}
	reynosa     = &city{"Reynosa", "Tamaulipas", "88500", "899", account.MX, "MX-28032", 26.09235, -98.278129, -1}
	sanDiego    = &city{"San Diego", "CA", "92101", "619", account.US, "US-06073", 32.88326, -117.112994, 1}
	tijuana     = &city{"Tijuana", "Baja California", "22000", "664", account.MX, "MX-02004", 32.53246, -117.018913, -1}
	laredo      = &city{"Laredo", "TX", "78040", "956", account.US, "US-48479", 27.520331, -99.47635, 1}
	nuevoLaredo = &city{"Nuevo Laredo", "Tamaulipas", "88000", "867", account.MX, "MX-28027", 27.486291, -99.508493, -1}
	nogalesAZ   = &city{"Nogales", "AZ", "85621", "520", account.US, "US-04023", 31.434733, -110.943195, 1}
	nogalesSON  = &city{"Nogales", "Sonora", "84000", "631", account.MX, "MX-26043", 31.325902, -110.945744, -1}
)

// place says where a service is delivered.
type place uint8

const (
	building place = iota // a physical location in its city
	online                // a virtual location: a phone line and a chat
	nowhere               // no location at all: a phone number
)

// service is one demo listing, written compactly. Services of the same
// organization in the same city share its location.
type service struct {
	at        *city
	org, name string
	desc      string
	needs     []string
	genders   []string
	minAge    int // 0 is open
	maxAge    int // 0 is open
	exploit   string
	status    bool     // requires legal immigration status
	langs     []string // nil: English and Spanish in the US, Spanish in Mexico
	interp    bool
	cost      string // "" is free
	beds      int
	free      int // free beds today, when beds > 0; -1 keeps no count
	stale     bool
	conf      bool // a confidential location
	open      bool // takes people from anywhere, not only its county or municipio
	where     place
	access    bool
	closed    bool
}

var (
	shelter    = []string{"emergency_shelter", "food_clothing", "safety_planning"}
	consulate  = []string{"consular_help", "repatriation"}
	laborGroup = []string{"labor_rights", "wage_recovery", "legal_labor_claims"}
	childCare  = []string{"child_protection", "emergency_shelter"}
	women      = []string{"woman"}
)

// services are the demo directory, by area, US side first.
var services = []service{
	// El Paso, TX: no shelter for adult men.
	{at: elPaso, org: "Casa Paso Seguro (demo)", name: "Emergency shelter for women (demo)", needs: shelter, genders: women, minAge: 18, exploit: directory.Sex,
		desc: "Confidential shelter for women leaving sex trafficking. Stays of up to 90 days.", beds: 12, free: 3, conf: true},
	{at: elPaso, org: "Casa Prisma (demo)", name: "LGBTQ+ shelter (demo)", needs: []string{"emergency_shelter", "housing"}, genders: []string{"transgender_woman", "transgender_man", "non_binary"}, minAge: 18,
		desc: "Shelter and transitional housing for transgender and non-binary adults.", beds: 6, free: 1},
	{at: elPaso, org: "Frontera Esperanza Legal Aid (demo)", name: "T-visa and U-visa representation (demo)", needs: []string{"legal_immigration", "legal_criminal"},
		desc: "Represents survivors in T-visa, U-visa and continued presence applications, and as victims in criminal cases."},
	{at: elPaso, org: "Frontera Esperanza Legal Aid (demo)", name: "Wage and labor claims (demo)", needs: []string{"legal_labor_claims", "wage_recovery"}, exploit: directory.Labor,
		desc: "Files wage claims and labor lawsuits for survivors of labor trafficking."},
	{at: elPaso, org: "Paso del Norte Child Protective Services (demo)", name: "Child abuse and trafficking investigations (demo)", needs: []string{"child_protection", "safety_planning"}, maxAge: 17,
		desc: "County child protective services: investigations, emergency placement and foster care."},
	{at: elPaso, org: "Westside Health Partners (demo)", name: "Primary care clinic (demo)", needs: []string{"medical"}, status: true, langs: []string{"en"}, cost: "fee", access: true,
		desc: "Requires proof of lawful immigration status or insurance. English only."},
	{at: elPaso, org: "Desert Bloom Counseling (demo)", name: "Trauma counseling (demo)", needs: []string{"mental_health"}, cost: "sliding",
		desc: "Individual and group counseling for survivors of violence and trafficking."},
	{at: elPaso, org: "Consulado Ficticio de México en El Paso (demo)", name: "Departamento de protección (demo)", needs: consulate, access: true,
		desc: "Protección consular para personas mexicanas: documentos, repatriación, acompañamiento en denuncias."},

	// Ciudad Juárez, CHIH: the one shelter for men.
	{at: juarez, org: "Albergue Puerta Abierta (demo)", name: "Albergue para mujeres y sus hijos (demo)", needs: shelter, genders: women,
		desc: "Mujeres con sus hijas e hijos, cualquier forma de explotación. Sin camas hoy.", beds: 30, free: 0},
	{at: juarez, org: "Casa Hombres de Paso (demo)", name: "Albergue para hombres (demo)", needs: []string{"emergency_shelter", "food_clothing", "employment"}, genders: []string{"man"}, minAge: 18, open: true,
		desc: "Uno de los pocos albergues de la frontera que recibe a hombres adultos, también sobrevivientes de trata laboral. Recibe canalizaciones de El Paso.", beds: 40, free: 6},
	{at: juarez, org: "Refugio Mujeres Libres (demo)", name: "Refugio confidencial (demo)", needs: []string{"emergency_shelter", "mental_health", "safety_planning"}, genders: women, minAge: 18, exploit: directory.Sex,
		desc: "Refugio de domicilio reservado para mujeres sobrevivientes de explotación sexual.", beds: 15, free: 2, conf: true},
	{at: juarez, org: "Centro de Derechos Laborales del Norte (demo)", name: "Asesoría laboral y recuperación de salarios (demo)", needs: laborGroup, exploit: directory.Labor,
		desc: "Asesoría y representación ante la junta laboral para trabajadoras y trabajadores de maquila, construcción y servicio doméstico."},
	{at: juarez, org: "Sistema DIF Ficticio de Juárez (demo)", name: "Procuraduría de Protección de Niñas, Niños y Adolescentes (demo)", needs: childCare, maxAge: 17,
		desc: "Tutela y albergue para niñas, niños y adolescentes no acompañados."},
	{at: juarez, org: "Defensa Migrante Paso del Norte (demo)", name: "Regularización migratoria en México (demo)", needs: []string{"legal_immigration"},
		desc: "Tarjeta de visitante por razones humanitarias y solicitudes de refugio ante la COMAR. No asesora sobre migración a Estados Unidos."},
	{at: juarez, org: "Centro Comunitario de Salud Integral Juárez (demo)", name: "Atención médica y psicológica (demo)", needs: []string{"medical", "mental_health"},
		desc: "Consulta general, salud sexual y reproductiva y acompañamiento psicológico."},
	{at: juarez, org: "Consulado Ficticio de Honduras en Ciudad Juárez (demo)", name: "Protección consular (demo)", needs: consulate,
		desc: "Documentos de viaje, repatriación y contacto con familiares para personas hondureñas."},

	// McAllen, TX: the only Mam and K'iche' interpreters in the network.
	{at: mcAllen, org: "Valle Hotline Network (demo)", name: "24-hour trafficking hotline (demo)", needs: []string{"safety_planning"}, interp: true, open: true, where: nowhere,
		desc: "Phone line, day and night, for survivors and for people worried about someone. Interpreters by phone."},
	{at: mcAllen, org: "Rio Grande Valley Clinic (demo)", name: "Survivor medical clinic (demo)", needs: []string{"medical"}, cost: "sliding", access: true,
		desc: "Primary care, forensic exams and vaccinations for survivors."},
	{at: mcAllen, org: "Casa Valle Serena (demo)", name: "Safe house for women (demo)", needs: []string{"emergency_shelter", "housing"}, genders: women, minAge: 18, exploit: directory.Sex,
		desc: "Confidential safe house for women leaving sex trafficking. Full today.", beds: 10, free: 0, conf: true},
	{at: mcAllen, org: "Valley Immigrant Justice Project (demo)", name: "T-visa legal clinic (demo)", needs: []string{"legal_immigration", "legal_criminal"},
		desc: "T-visa and U-visa applications, certifications and continued presence requests."},
	{at: mcAllen, org: "Hidalgo Child Welfare Office (demo)", name: "Child protective services (demo)", needs: []string{"child_protection"}, maxAge: 17,
		desc: "County child protective services."},
	{at: mcAllen, org: "Intérpretes Mayas del Valle (demo)", name: "Mam and K'iche' interpreters (demo)", needs: []string{"interpretation"}, langs: []string{"mam", "quc", "es", "en"}, open: true,
		desc: "Interpreters for Mam and K'iche', by phone or in person, for any service in the network."},
	{at: mcAllen, org: "Consulado Ficticio de Guatemala en McAllen (demo)", name: "Protección consular (demo)", needs: consulate,
		desc: "Documentos, repatriación y contacto con familiares para personas guatemaltecas."},

	// Reynosa, TAMPS: the stale bed count.
	{at: reynosa, org: "Casa Refugio Reynosa (demo)", name: "Refugio para mujeres (demo)", needs: shelter, genders: women, minAge: 12, exploit: directory.Sex,
		desc: "Mujeres y adolescentes desde los 12 años sobrevivientes de explotación sexual.", beds: 20, free: 4, stale: true},
	{at: reynosa, org: "Salud Mental Sin Fronteras (demo)", name: "Acompañamiento psicológico (demo)", needs: []string{"mental_health"},
		desc: "Terapia individual y grupal para sobrevivientes de violencia y trata."},
	{at: reynosa, org: "Sistema DIF Ficticio de Reynosa (demo)", name: "Casa hogar y protección de la infancia (demo)", needs: childCare, maxAge: 17,
		desc: "Casa hogar para niñas, niños y adolescentes.", beds: 24, free: 5},
	{at: reynosa, org: "Colectivo Jornaleros del Bravo (demo)", name: "Defensa de jornaleros (demo)", needs: []string{"labor_rights", "wage_recovery"}, exploit: directory.Labor,
		desc: "Organiza y acompaña a jornaleros agrícolas a reclamar salarios no pagados."},
	{at: reynosa, org: "Comisión Estatal Ficticia de Atención a Víctimas (demo)", name: "Asesoría jurídica a víctimas (demo)", needs: []string{"legal_criminal", "safety_planning"},
		desc: "Asesoría jurídica gratuita a víctimas de delito en el proceso penal."},

	// San Diego, CA: housing that takes men, but only with status.
	{at: sanDiego, org: "Bayside Survivors Collective (demo)", name: "Survivor case management (demo)", needs: []string{"safety_planning", "mental_health", "employment", "education_training"}, interp: true,
		desc: "Case management, job training and peer support for survivors of any form of trafficking."},
	{at: sanDiego, org: "Pacific Anti-Trafficking Legal Clinic (demo)", name: "T-visa and labor claims representation (demo)", needs: []string{"legal_immigration", "legal_labor_claims", "legal_criminal"},
		desc: "T-visa applications, civil suits against traffickers and victims' rights in criminal cases."},
	{at: sanDiego, org: "Harbor Light Safe House (demo)", name: "Confidential shelter for women (demo)", needs: []string{"emergency_shelter", "mental_health"}, genders: []string{"woman", "transgender_woman"}, minAge: 18, exploit: directory.Sex,
		desc: "Confidential shelter for women, transgender women included, leaving sex trafficking.", beds: 8, free: 1, conf: true},
	{at: sanDiego, org: "Mesa Transitional Housing (demo)", name: "Transitional housing (demo)", needs: []string{"housing", "employment"}, minAge: 18, status: true, cost: "sliding",
		desc: "Up to two years of housing for adults of any gender. Requires lawful immigration status.", beds: 20, free: 2},
	{at: sanDiego, org: "San Diego Children's Protective Office (demo)", name: "Child protective services (demo)", needs: []string{"child_protection"}, maxAge: 17,
		desc: "County child protective services."},
	{at: sanDiego, org: "Harbor Workers Wage Project (demo)", name: "Wage theft and labor rights clinic (demo)", needs: []string{"labor_rights", "wage_recovery"}, exploit: directory.Labor, langs: []string{"en", "es", "tl"},
		desc: "Wage claims and labor rights for farm, hotel and domestic workers."},
	{at: sanDiego, org: "Consulado Ficticio de México en San Diego (demo)", name: "Departamento de protección (demo)", needs: consulate, access: true,
		desc: "Protección consular para personas mexicanas: documentos, repatriación, acompañamiento en denuncias."},
	{at: sanDiego, org: "Bayfront Free Clinic (demo)", name: "Free medical clinic (demo)", needs: []string{"medical"}, langs: []string{"en"}, interp: true,
		desc: "Walk-in clinic; English-speaking staff, interpreters by phone."},

	// Tijuana, BC: the other shelter that takes adult men.
	{at: tijuana, org: "Defensoría Migrante Tijuana (demo)", name: "Asesoría migratoria en México (demo)", needs: []string{"legal_immigration", "legal_criminal"},
		desc: "Visas humanitarias y refugio en México. Los casos de Estados Unidos (visa T) se canalizan al otro lado."},
	{at: tijuana, org: "Fiscalía Especializada Ficticia (demo)", name: "Unidad de atención a víctimas de trata (demo)", needs: []string{"legal_criminal", "safety_planning"},
		desc: "Denuncias y medidas de protección para víctimas de trata."},
	{at: tijuana, org: "Casa Mariposa Tijuana (demo)", name: "Refugio confidencial para mujeres (demo)", needs: []string{"emergency_shelter", "mental_health"}, genders: []string{"woman", "transgender_woman"}, exploit: directory.Sex,
		desc: "Refugio de domicilio reservado para mujeres, mujeres trans incluidas.", beds: 25, free: 5, conf: true},
	{at: tijuana, org: "Albergue Familias en Camino (demo)", name: "Albergue para familias migrantes (demo)", needs: []string{"emergency_shelter", "food_clothing"},
		desc: "Familias y personas adultas que viajan solas, de cualquier género.", beds: 60, free: 12},
	{at: tijuana, org: "Sistema DIF Ficticio de Tijuana (demo)", name: "Protección de niñas, niños y adolescentes (demo)", needs: childCare, maxAge: 17,
		desc: "Tutela y albergue para niñas, niños y adolescentes; no lleva conteo de camas en Puente."},
	{at: tijuana, org: "Consulado Ficticio de Guatemala en Tijuana (demo)", name: "Protección consular (demo)", needs: consulate,
		desc: "Documentos, repatriación y contacto con familiares para personas guatemaltecas."},
	{at: tijuana, org: "Clínica Comunitaria Playas (demo)", name: "Medicina general y salud mental (demo)", needs: []string{"medical", "mental_health"},
		desc: "Consulta general y psicológica sin costo."},

	// Laredo, TX.
	{at: laredo, org: "Gateway Workers Project (demo)", name: "Worker center and wage recovery (demo)", needs: laborGroup, exploit: directory.Labor,
		desc: "Wage recovery and labor rights for truckers, warehouse and construction workers."},
	{at: laredo, org: "Casa Alba Laredo (demo)", name: "Shelter for women and children (demo)", needs: shelter, genders: women,
		desc: "Confidential shelter for women and their children.", beds: 14, free: 3, conf: true},
	{at: laredo, org: "Webb Youth Protection Office (demo)", name: "Child protective services (demo)", needs: []string{"child_protection"}, maxAge: 17,
		desc: "County child protective services."},
	{at: laredo, org: "Gateway Health Clinic (demo)", name: "Community clinic (demo)", needs: []string{"medical"}, status: true, cost: "fee",
		desc: "Requires proof of lawful immigration status or insurance."},
	{at: laredo, org: "Laredo Immigrant Legal Services (demo)", name: "T-visa and asylum representation (demo)", needs: []string{"legal_immigration"}, cost: "sliding",
		desc: "T-visa, U-visa and asylum representation."},
	{at: laredo, org: "Consulado Ficticio de México en Laredo (demo)", name: "Departamento de protección (demo)", needs: consulate,
		desc: "Protección consular para personas mexicanas: documentos, repatriación, acompañamiento en denuncias."},

	// Nuevo Laredo, TAMPS.
	{at: nuevoLaredo, org: "Albergue Nuevo Amanecer (demo)", name: "Refugio para mujeres y niñas (demo)", needs: shelter, genders: women, minAge: 12, exploit: directory.Sex,
		desc: "Refugio de domicilio reservado para mujeres y adolescentes sobrevivientes de explotación sexual.", beds: 18, free: 2, conf: true},
	{at: nuevoLaredo, org: "Sistema DIF Ficticio de Nuevo Laredo (demo)", name: "Protección de niñas, niños y adolescentes (demo)", needs: childCare, maxAge: 17,
		desc: "Tutela y albergue para niñas, niños y adolescentes.", beds: 16, free: 3},
	{at: nuevoLaredo, org: "Red Laboral Dos Laredos (demo)", name: "Defensa laboral (demo)", needs: laborGroup, exploit: directory.Labor,
		desc: "Asesoría para trabajadores del transporte y la maquila."},
	{at: nuevoLaredo, org: "Unidad Médica Dos Laredos (demo)", name: "Atención médica y psicológica (demo)", needs: []string{"medical", "mental_health"},
		desc: "Consulta general y atención psicológica."},

	// Nogales, AZ: the clinic is closed for now.
	{at: nogalesAZ, org: "Casa Sonrisa Nogales (demo)", name: "Safe house for women (demo)", needs: []string{"emergency_shelter"}, genders: women, minAge: 18, exploit: directory.Sex,
		desc: "Confidential safe house for women leaving sex trafficking.", beds: 6, free: 1, conf: true},
	{at: nogalesAZ, org: "Sky Islands Immigrant Law Clinic (demo)", name: "T-visa representation (demo)", needs: []string{"legal_immigration"},
		desc: "T-visa and U-visa applications for survivors in southern Arizona."},
	{at: nogalesAZ, org: "Santa Cruz Family Services Office (demo)", name: "Child protective services (demo)", needs: []string{"child_protection"}, maxAge: 17,
		desc: "County child protective services."},
	{at: nogalesAZ, org: "Pimería Health Center (demo)", name: "Medical and behavioral health (demo)", needs: []string{"medical", "mental_health"}, cost: "sliding", closed: true,
		desc: "Primary care and counseling."},

	// Nogales, SON.
	{at: nogalesSON, org: "Albergue Mujeres del Desierto (demo)", name: "Albergue para mujeres deportadas (demo)", needs: shelter, genders: women,
		desc: "Mujeres deportadas o retornadas, con sus hijas e hijos.", beds: 20, free: 5},
	{at: nogalesSON, org: "Sistema DIF Ficticio de Nogales (demo)", name: "Protección de niñas, niños y adolescentes (demo)", needs: childCare, maxAge: 17,
		desc: "Tutela y albergue para niñas, niños y adolescentes repatriados."},
	{at: nogalesSON, org: "Defensoría Laboral de la Maquila (demo)", name: "Asesoría laboral (demo)", needs: laborGroup, exploit: directory.Labor,
		desc: "Asesoría y representación para trabajadoras y trabajadores de maquila y del campo."},
	{at: nogalesSON, org: "Asesoría Migrante Sonora (demo)", name: "Regularización migratoria en México (demo)", needs: []string{"legal_immigration", "consular_help"},
		desc: "Visas humanitarias y refugio en México; acompañamiento a consulados. No asesora sobre migración a Estados Unidos."},

	// Nationwide in Mexico, online.
	{at: juarez, org: "Línea Nacional Ficticia contra la Trata (demo)", name: "Línea y chat 24 horas (demo)", needs: []string{"safety_planning"}, langs: []string{"es", "en"}, open: true, where: online,
		desc: "Línea telefónica y chat, día y noche, para sobrevivientes y para quien sospeche un caso."},
}

func (s *service) listing(now time.Time) directory.Listing {
	orgID, slug := id("organization", s.org), slugOf(s.org)
	l := directory.Listing{
		Organization: directory.Organization{ID: orgID, Name: s.org, Description: s.orgDescription(),
			Email: slug + "@" + Domain, Website: "https://" + Domain + "/" + slug},
		Service: directory.Service{ID: id("service", s.org, s.name), OrganizationID: orgID, Name: s.name, Description: s.desc,
			URL: "https://" + Domain + "/" + slug + "/" + slugOf(s.name), Status: directory.StatusActive,
			ApplicationProcess: s.howToApply(), AssuredDate: now.Format(time.DateOnly), Needs: slices.Clone(s.needs), Eligibility: s.eligibility(now)},
		Location: s.location(orgID, slug),
	}
	if s.closed {
		l.Service.Status, l.Service.Alert = directory.StatusTemporaryClosed, "Closed for repairs (demo)."
	}
	return l
}

func (s *service) orgDescription() string {
	if s.at.country == account.MX {
		return fmt.Sprintf("Organización ficticia en %s, %s, para probar Puente (demo). No es un servicio real.", s.at.name, s.at.state)
	}
	return fmt.Sprintf("Fictional organization in %s, %s, for trying Puente (demo). Not a real service.", s.at.name, s.at.state)
}

// howToApply gives a fictional phone number: 555-01xx in the US, reserved
// for fiction; a 000 exchange in Mexico, which no line uses.
func (s *service) howToApply() string {
	n := binary.BigEndian.Uint16(hash("phone", s.org, s.name)[:2])
	if s.at.country == account.MX {
		return fmt.Sprintf("Llame al +52 %s 000 %04d (número ficticio de demostración).", s.at.dial, n%10000)
	}
	return fmt.Sprintf("Call +1 %s 555 01%02d (fictional demo number).", s.at.dial, n%100)
}

func (s *service) eligibility(now time.Time) directory.Eligibility {
	e := directory.Eligibility{
		Genders: slices.Clone(s.genders), Exploitation: s.exploit, ImmigrationStatusRequired: s.status, Languages: slices.Clone(s.langs),
		Interpretation: s.interp, Country: s.at.country, Cost: s.cost, Accessible: s.access, Beds: s.beds,
	}
	if e.Exploitation == "" {
		e.Exploitation = directory.AnyExploitation
	}
	if e.Cost == "" {
		e.Cost = "free"
	}
	if e.Languages == nil {
		e.Languages = []string{"en", "es"}
		if s.at.country == account.MX {
			e.Languages = []string{"es"}
		}
	}
	if s.minAge > 0 {
		e.MinAge = ptr(s.minAge)
	}
	if s.maxAge > 0 {
		e.MaxAge = ptr(s.maxAge)
	}
	if !s.open {
		e.AreaServed.Codes = []string{s.at.area}
	}
	if s.beds > 0 && s.free >= 0 {
		e.BedsAvailable, e.AvailabilityUpdatedAt = ptr(s.free), now
		if s.stale {
			e.AvailabilityUpdatedAt = now.Add(-5 * 24 * time.Hour)
		}
	}
	return e
}

func (s *service) location(orgID, slug string) directory.Location {
	switch s.where {
	case nowhere:
		return directory.Location{}
	case online:
		return directory.Location{ID: id("location", s.org, "online"), LocationType: directory.Virtual, OrganizationID: orgID,
			Name: s.name, URL: "https://" + Domain + "/" + slug + "/chat"}
	}
	locID := id("location", s.org, s.at.name)
	h := hash(locID)
	// Up to about 3 km away from the centre, on its side of the border.
	lat := s.at.lat + s.at.side*(0.005+float64(h[0])/255*0.025)
	lon := s.at.lon + (float64(h[1])/255-0.5)*0.04
	addr := directory.Address{Address1: fmt.Sprintf("%d Example Street (demo)", 100+int(h[2])*10), City: s.at.name,
		StateProvince: s.at.state, PostalCode: s.at.postal, Country: string(s.at.country), AddressType: directory.Physical}
	if s.at.country == account.MX {
		addr.Address1 = fmt.Sprintf("Calle Ficticia %d (demo)", 100+int(h[2])*10)
	}
	l := directory.Location{ID: locID, LocationType: directory.Physical, OrganizationID: orgID, Name: s.org,
		Latitude: &lat, Longitude: &lon, Addresses: []directory.Address{addr}, Confidential: s.conf}
	if s.conf {
		l.Name = "Confidential shelter location (demo)"
		l.Description = "Fictional confidential address (demo): shown only to vetted partners with an active referral."
	}
	return l
}

func ptr[T any](v T) *T { return &v }

// idNamespace is the UUID namespace of the demo directory's ids. Fixed, so
// that the demo's ids are the same in every database.
var idNamespace = uuid.UUID{0x9d, 0x1c, 0x4e, 0x0a, 0x63, 0x5b, 0x4f, 0x2e, 0xa4, 0x07, 0x3c, 0x88, 0xd1, 0x52, 0x6f, 0xe0}

func hash(parts ...string) []byte {
	h := sha1.New()
	h.Write(idNamespace[:])
	h.Write([]byte(strings.Join(parts, "\x00")))
	return h.Sum(nil)
}

// id is a name-based UUID (RFC 9562, version 5) of parts.
func id(parts ...string) string {
	return uuid.NewSHA1(idNamespace, []byte(strings.Join(parts, "\x00"))).String()
}

// slugOf turns a name into the part of an address that names it:
// "Consulado Ficticio de México (demo)" becomes "consulado-ficticio-de-mexico".
func slugOf(name string) string {
	name = strings.TrimSuffix(name, " (demo)")
	name, _, _ = transform.String(transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn))), name)
	return strings.Join(strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	}), "-")
}
