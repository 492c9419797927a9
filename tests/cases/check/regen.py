#!/usr/bin/env python3
"""regen.py - writes the check cases (one failing input per checker
diagnostic) into this directory: input.cars, cmd, and the expected output
and status as the current carsc prints them. Review `git diff` after
running it: the expected files are the specification.
    python3 tests/cases/check/regen.py [BUILD_DIR]"""
import os, re, subprocess, sys
HERE=os.path.dirname(os.path.abspath(__file__))
ROOT=os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
CARSC=os.path.join(ROOT, sys.argv[1] if len(sys.argv) > 1 else 'build', 'carsc')
BASE='''schema {
  id: string required
  received: date required reference
  route: one of [standard_visitor, marriage_visitor] required
  visit.purpose: one of [tourism, business, family] required
  visit.length_days: integer min 0 optional
  visit.cost_gbp: number optional
  applicant.date_of_birth: date required protected age
  applicant.sex: one of [F, M, X] required protected sex
  applicant.nationality: country required protected nationality
  contact.email: email optional
  travel_history: list of {
    country: country required
    year: integer required
    complied: bool required
  } optional
}
'''
ROUTING='''routing {
  complex singles -> CXDR
  otherwise -> NCXDR
}
'''
def rule(cond, extra=''):
    return 'single S-CX-1 complex "test rule" {\n%s  when %s\n}\n' % (extra, cond)
TABLES='''table false_documents "Known false documents" {
  file "tables/false_documents.csv"
  key issuing_country: country, number: document
}
table false_contacts "Known false contacts" {
  file "tables/false_contacts.csv"
  key contact: contact
}
'''
# A rule that reads a protected characteristic carries a rationale and a
# review cadence (cases that test something else give it both).
META='  rationale "why"\n  reviewed 2026-09-01 every 6 months\n'
C={}
CSV={}
def case(name, text, args='', csv=None):
    C[name]=(text,args)
    if csv is not None: CSV[name]=csv
# The table files a case's text declares, each with its declared header row
# (and no entries), unless the case gives its own (a name to None: missing).
def table_files(text):
    out={}
    for m in re.finditer(r'file "([^"]+)"\n  key ([^\n]+)\n', text):
        out[m.group(1)]=','.join(c.split(':')[0].strip() for c in m.group(2).split(','))+'\n'
    return out
case('unknown-field', BASE+rule('visit.lenght_days > 90')+ROUTING)
case('not-a-member', BASE+rule('visit.purpose = holiday')+ROUTING)
case('member-hint', BASE+rule('visit.purpose in [tourism, busines]')+ROUTING)
case('compare-types', BASE+rule('visit.length_days < received')+ROUTING)
case('and-needs-bool', BASE+rule('contact.email is present and visit.length_days')+ROUTING)
case('year-arity', BASE+rule('year(received, received) > 2020')+ROUTING)
case('years-between-type', BASE+rule('years_between(received, 5) > 1')+ROUTING)
case('unknown-function', BASE+rule('yeer(received) > 2020')+ROUTING)
case('days-not-integer', BASE+rule('received + visit.cost_gbp days > received')+ROUTING)
case('date-plus-integer', BASE+rule('received + 5 > received')+ROUTING)
case('quantifier-not-list', BASE+rule('any(t in contact.email where t.complied)')+ROUTING)
case('nested-quantifier', BASE+rule('any(t in travel_history where any(u in travel_history where u.complied))')+ROUTING)
case('unknown-element-field', BASE+rule('any(t in travel_history where t.contry = USA)')+ROUTING)
case('within-needs-integer', BASE+rule('visit.cost_gbp within last 5 years')+ROUTING)
case('no-reference-date', BASE.replace(' reference','')+ROUTING)
case('two-reference-dates', BASE.replace('  visit.cost_gbp: number optional\n','  visit.cost_gbp: number optional\n  visit.arrival_date: date optional reference\n')+ROUTING)
case('string-ops', BASE+rule('contact.email < "a"')+ROUTING)
case('in-member-type', BASE+rule('visit.length_days in [1, "x"]')+ROUTING)
case('in-bad-type', BASE+rule('received in [1]')+ROUTING)
case('is-present-needs-field', BASE+rule('visit.length_days + 1 is present')+ROUTING)
case('not-a-country-code', BASE+rule('any(t in travel_history where t.country = usa)')+ROUTING)
case('unknown-set', BASE+rule('route in not_rated')+ROUTING)
case('table-tuple-arity', BASE+TABLES+rule('contact.email in false_documents or contact.email in false_contacts')+ROUTING)
case('table-key-type', BASE+TABLES+rule('(visit.length_days, contact.email) in false_documents or contact.email in false_contacts')+ROUTING)
case('table-country-key', BASE+TABLES+rule('(contact.email, contact.email) in false_documents or contact.email in false_contacts')+ROUTING)
case('unused-set', BASE+'set allies = [USA, CAN]\n'+rule('visit.length_days > 90')+ROUTING)
case('unused-let', BASE+'let stay = visit.length_days\n'+rule('visit.length_days > 90')+ROUTING)
case('unused-table', BASE+TABLES+rule('contact.email in false_contacts')+ROUTING)
case('let-cycle', BASE+'let a = b + 1\nlet b = a + 1\n'+rule('a > 90')+ROUTING)
case('duplicate-rule', BASE+rule('visit.length_days > 90')+rule('visit.length_days > 30')+ROUTING)
case('duplicate-set', BASE+'set s = [USA]\nset s = [CAN]\n'+rule('any(t in travel_history where t.country in s)')+ROUTING)
case('duplicate-field', BASE.replace('  visit.cost_gbp: number optional\n','  visit.cost_gbp: number optional\n  visit.length_days: number optional\n')+ROUTING)
case('field-and-object', BASE.replace('  visit.cost_gbp: number optional\n','  visit.cost_gbp: number optional\n  visit: string optional\n')+ROUTING)
case('min-on-string', BASE.replace('contact.email: email optional','contact.email: string min 3 optional')+ROUTING)
case('element-string', BASE.replace('    complied: bool required\n','    complied: bool required\n    note: string optional\n')+ROUTING)
case('element-email', BASE.replace('    complied: bool required\n','    complied: bool required\n    note: email optional\n')+ROUTING)
# A table key column normalises a field by the column's kind; a contact
# column (emails and phone numbers) by the field's own kind.
PHONE=BASE.replace('  contact.email: email optional\n','  contact.email: email optional\n  contact.phone: phone optional\n  contact.note: string optional\n  applicant.passport.number: document required\n')
KINDS='''table false_contacts "Known false contacts" {
  file "tables/false_contacts.csv"
  key contact: contact
}
table false_emails "Known false emails" {
  file "tables/false_emails.csv"
  key email: email
}
table notes "Notes" {
  file "tables/notes.csv"
  key note: text
}
'''
case('contact-plain-string', PHONE+KINDS+rule('contact.note in false_contacts or contact.email in false_emails or contact.note in notes')+ROUTING)
case('contact-document', PHONE+KINDS+rule('applicant.passport.number in false_contacts or contact.email in false_emails or contact.note in notes')+ROUTING)
case('key-kind-mismatch', PHONE+KINDS+rule('contact.phone in false_emails or contact.email in false_contacts or contact.note in notes')+ROUTING)
case('key-kind-text', PHONE+KINDS+rule('contact.phone in notes or contact.email in false_contacts or contact.note in false_emails')+ROUTING)
case('unknown-type', BASE.replace('visit.cost_gbp: number optional','visit.cost_gbp: numbr optional')+rule('visit.cost_gbp > 1')+ROUTING)
case('contact-type', BASE.replace('contact.email: email optional','contact.email: contact optional')+rule('contact.email = "x"')+ROUTING)
MULTI='''multiple M-A1 tier A "tier A rule" {
  when visit.length_days <= 30
}
multiple M-B1 tier B "tier B rule" {
  when visit.purpose = tourism
}
'''
TROUTE='''routing {
  threshold MPCA -> NCXPCA otherwise CXPCA
}
'''
case('threshold-total', BASE+MULTI+'threshold MPCA "t" {\n  at least 3\n}\n'+TROUTE)
case('threshold-tier', BASE+MULTI+'threshold MPCA "t" {\n  at least 2\n  at least 2 in tier A\n}\n'+TROUTE)
case('unknown-tier', BASE+MULTI+'threshold MPCA "t" {\n  at least 1\n  at least 1 in tier C\n}\n'+TROUTE)
case('unrouted-kind', BASE+rule('visit.length_days > 90')+'exclusion SCOPE-1 "x" {\n  when route = marriage_visitor\n}\n'+ROUTING)
case('unknown-threshold', BASE+MULTI+'threshold MPCA "t" {\n  at least 1\n}\n'+TROUTE.replace('MPCA ->','MPAC ->'))
case('last-stage', BASE+rule('visit.length_days > 90')+'routing {\n  complex singles -> CXDR\n}\n')
case('unreachable-stage', BASE+rule('visit.length_days > 90')+'routing {\n  otherwise -> NCXDR\n  complex singles -> CXDR\n}\n')
case('duplicate-stage', BASE+rule('visit.length_days > 90')+'routing {\n  complex singles -> CXDR\n  complex singles -> CXDR\n  otherwise -> NCXDR\n}\n')
case('nationality-no-authorisation', BASE+rule('applicant.nationality in [QZA, QZB]', META)+ROUTING)
case('age-no-justification', BASE+'let age = years_between(applicant.date_of_birth, received)\n'+rule('age between 18 and 29', META)+ROUTING)
case('sex-used', BASE+rule('applicant.sex = F')+ROUTING)
case('citation-not-needed', BASE+rule('visit.length_days > 90', '  authorisation MA-2026-014\n')+ROUTING)
PROF='profile PRF-001 "long visit" {\n%s  when visit.length_days > 90\n}\n'
PROUTE='routing {\n  profiles -> CXDR\n  otherwise -> NCXDR\n}\n'
case('profile-no-rationale', BASE+PROF % '  reviewed 2026-09-01 every 6 months\n'+PROUTE)
case('profile-no-review', BASE+PROF % '  rationale "why"\n'+PROUTE)
case('review-months', BASE+PROF % '  rationale "why"\n  reviewed 2026-09-01 every 61 months\n'+PROUTE)
case('review-due', BASE+PROF % '  rationale "why"\n  reviewed 2026-08-31 every 6 months\n'+PROUTE, '--as-of 2027-02-28 ')
case('review-not-due', BASE+PROF % '  rationale "why"\n  reviewed 2026-08-31 every 6 months\n'+PROUTE, '--as-of 2027-02-27 ')
EX='example base {\n  id = "T-1"\n  received = 2026-11-01\n  route = standard_visitor\n}\n'
case('example-unknown-field', BASE+rule('visit.length_days > 90')+ROUTING+EX+'test "long" {\n  like base\n  visit.lenght_days = 91\n  expect CXDR [S-CX-1]\n}\n')
case('example-wrong-type', BASE+rule('visit.length_days > 90')+ROUTING+EX+'test "long" {\n  like base\n  visit.length_days = "91"\n  expect CXDR [S-CX-1]\n}\n')
case('example-bad-member', BASE+rule('visit.length_days > 90')+ROUTING+EX+'test "long" {\n  like base\n  route = visitor\n  expect CXDR [S-CX-1]\n}\n')
case('example-list-field', BASE+rule('visit.length_days > 90')+ROUTING+EX+'test "long" {\n  like base\n  travel_history = [{country = USA, yr = 2020, complied = true}]\n  expect CXDR [S-CX-1]\n}\n')
case('test-unknown-like', BASE+rule('visit.length_days > 90')+ROUTING+EX+'test "long" {\n  like bsae\n  expect CXDR [S-CX-1]\n}\n')
case('several-errors', BASE+rule('visit.lenght_days > 90')+'single S-CX-2 complex "t" {\n  when route = tourist\n}\nsingle S-CX-3 complex "t" {\n  when 1 and route = standard_visitor\n}\n'+ROUTING)

case('protected-type', BASE.replace('applicant.nationality: country required protected nationality','applicant.nationality: string required protected nationality')+ROUTING)
case('let-not-a-value', BASE+'let trips = travel_history\n'+rule('visit.length_days > 90')+ROUTING)
TREV='''table false_contacts "Known false contacts" {
  file "tables/false_contacts.csv"
  key contact: contact
  rationale "Contacts used in earlier false applications."
  reviewed 2026-09-01 every 6 months
}
'''
case('table-review-due', BASE+TREV+rule('contact.email in false_contacts')+ROUTING, '--as-of 2027-03-01 ')
case('tuple-arity', BASE+TABLES+rule('(applicant.nationality, contact.email, contact.email) in false_documents or contact.email in false_contacts', '  authorisation MA-2026-014\n'+META)+ROUTING)
case('duplicate-example', BASE+rule('visit.length_days > 90')+ROUTING+EX+EX.replace('T-1','T-2'))
case('duplicate-test', BASE+rule('visit.length_days > 90')+ROUTING+EX+'test "long" {\n  like base\n  expect NCXDR []\n}\ntest "long" {\n  like base\n  expect NCXDR []\n}\n')
case('unknown-expected-rule', BASE+rule('visit.length_days > 90')+ROUTING+EX+'test "long" {\n  like base\n  visit.length_days = 91\n  expect CXDR [S-CX-2]\n}\n')
case('enum-vs-string', BASE+rule('visit.purpose = "tourism"')+ROUTING)
case('different-enumerations', BASE+rule('visit.purpose = route')+ROUTING)
# The records contract's protected fields: the schema may not remove or change
# their protection, and every use still needs its lawful basis.
NAT='applicant.nationality: country required protected nationality'
SEX='applicant.sex: one of [F, M, X] required protected sex'
DOB='applicant.date_of_birth: date required protected age'
case('contract-nationality-unprotected', BASE.replace(NAT, 'applicant.nationality: country required')+rule('applicant.nationality in [QZA, QZB]', META)+ROUTING)
case('contract-sex-unprotected', BASE.replace(SEX, 'applicant.sex: one of [F, M, X] required')+rule('applicant.sex = F')+ROUTING)
case('contract-age-unprotected', BASE.replace(DOB, 'applicant.date_of_birth: date required')+'let age = years_between(applicant.date_of_birth, received)\n'+rule('age < 18', META)+ROUTING)
case('contract-wrong-protection', BASE.replace(SEX, 'applicant.sex: country required protected nationality')+ROUTING)
case('contract-quantifier', BASE+rule('any(t in travel_history where t.country = applicant.nationality)', META)+ROUTING)
# Proxies of nationality: the passport's issuing country and the country of
# residence compared with particular countries need an authorisation.
PBASE=BASE.replace('  contact.email: email optional\n', '  contact.email: email optional\n'
  '  applicant.passport.number: string required\n'
  '  applicant.passport.issuing_country: country required\n'
  '  applicant.country_of_residence: country optional\n')
case('proxy-eq', PBASE+rule('applicant.passport.issuing_country = QZA', META)+ROUTING)
case('proxy-ne', PBASE+rule('QZA != applicant.country_of_residence', META)+ROUTING)
case('proxy-in-list', PBASE+rule('applicant.passport.issuing_country in [QZA, QZB]', META)+ROUTING)
case('proxy-in-set', PBASE+'set listed = [QZA, QZB]\n'+rule('applicant.country_of_residence in listed', META)+ROUTING)
case('proxy-not-in', PBASE+rule('applicant.passport.issuing_country not in [QZA, QZB]', META)+ROUTING)
case('proxy-let', PBASE+'let passport_country = applicant.passport.issuing_country\nlet from_qz = passport_country in [QZA, QZB]\n'+rule('visit.length_days > 90 and from_qz', META)+ROUTING)
case('proxy-country-table', PBASE+'table listed_countries "Listed countries" {\n  file "tables/countries.csv"\n  key country: country\n}\n'+rule('applicant.country_of_residence in listed_countries', META)+ROUTING)
case('proxy-authorised', PBASE+rule('applicant.passport.issuing_country in [QZA, QZB] and applicant.country_of_residence is present', '  authorisation MA-2026-014\n'+META)+ROUTING)
case('proxy-document-table', PBASE+TABLES+rule('(applicant.passport.issuing_country, applicant.passport.number) in false_documents or contact.email in false_contacts or applicant.country_of_residence is present or any(t in travel_history where t.country = QZA)')+ROUTING)
# Number literals out of range are errors, as over-large integers are.
case('decimal-too-large', BASE+rule('visit.cost_gbp > 1'+'0'*309+'.5')+ROUTING)
case('decimal-too-small', BASE+rule('visit.cost_gbp < 0.'+'0'*320+'1 or visit.cost_gbp > 0.000')+ROUTING)
case('integer-too-large', BASE+rule('visit.length_days > 9223372036854775808')+ROUTING)
# Rules that read a protected characteristic without their reasons or review.
case('protected-no-review', BASE+'let age = years_between(applicant.date_of_birth, received)\n'+rule('age between 25 and 70', '  rationale "why"\n  justification OJ-2026-007\n')+ROUTING)
case('protected-no-rationale', PBASE+rule('applicant.passport.issuing_country in [QZA, QZB]', '  authorisation MA-2026-014\n  reviewed 2026-09-01 every 6 months\n')+ROUTING)
case('protected-neither', BASE+rule('applicant.nationality = QZA', '  authorisation MA-2026-014\n')+ROUTING)
# check reads the tables as a build does.
case('table-missing-file', BASE+TABLES+rule('contact.email in false_contacts')+ROUTING, csv={'tables/false_documents.csv': None})
case('table-wrong-header', BASE+TABLES+rule('contact.email in false_contacts')+ROUTING, csv={'tables/false_contacts.csv': 'value\nfraud@example.com\n'})
case('table-bad-row', BASE+TABLES+rule('contact.email in false_contacts')+ROUTING, csv={'tables/false_documents.csv': 'issuing_country,number\nFRA,AB12345\nqza,CD 678\n'})
out=HERE
for name,(text,args) in C.items():
    d=os.path.join(out,name); os.makedirs(d, exist_ok=True)
    open(os.path.join(d,'input.cars'),'w').write(text)
    files=table_files(text); files.update(CSV.get(name, {}))
    for rel,content in files.items():
        if content is None: continue
        os.makedirs(os.path.dirname(os.path.join(d,rel)), exist_ok=True)
        open(os.path.join(d,rel),'w').write(content)
    open(os.path.join(d,'cmd'),'w').write('"$CARSC" check %sinput.cars\n' % args)
    p=subprocess.run('%s check %sinput.cars' % (CARSC,args), shell=True, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    outp=p.stdout
    open(os.path.join(d,'expected'),'w').write(outp)
    if p.returncode: open(os.path.join(d,'status'),'w').write('%d\n' % p.returncode)
    print('=== %s (%d)' % (name,p.returncode)); print(outp)
