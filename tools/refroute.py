#!/usr/bin/env python3
# refroute.py - an independent second implementation of the reference
# routing guidance (reference-guidance.md) and the record contract
# (application-records.md), written straight from the prose and sharing no
# code with carsc/carsvm. Used to cross-check golden outputs before they are
# accepted (tests/cases/e2e/golden); not part of the build.
#
#   python3 tools/refroute.py TABLES_DIR CORPUS.jsonl > expected.jsonl
#   python3 tools/refroute.py TABLES_DIR CORPUS.jsonl --compare ROUTED.jsonl
#
# Prints {"id","outcome","rules"} per non-blank line (ERROR lines add "line"
# and a short reason); --compare prints every line whose outcome or rules
# differ from carsvm's output and exits 1 if any does.
import json, sys, re, datetime
REQ, OPT = True, False
ROUTES = "standard_visitor marriage_visitor permitted_paid_engagement transit_visitor overseas_domestic_worker direct_airside_transit joining_ship exempt_vignette commonwealth_ot".split()
NOTRATED = set(ROUTES[4:])
PURP = "tourism business family medical academic transit marriage paid_engagement other".split()
SCHEMA = [
 ("id","string",REQ),("received","date",REQ),("route",("enum",ROUTES),REQ),
 ("applicant.given_names","string",REQ),("applicant.family_name","string",REQ),
 ("applicant.date_of_birth","date",REQ),("applicant.sex",("enum",["F","M","X"]),REQ),
 ("applicant.nationality","country",REQ),("applicant.country_of_residence","country",OPT),
 ("applicant.passport.number","string",REQ),("applicant.passport.issuing_country","country",REQ),
 ("applicant.passport.expiry_date","date",OPT),("contact.email","string",OPT),("contact.phone","string",OPT),
 ("visit.purpose",("enum",PURP),REQ),("visit.arrival_date","date",OPT),("visit.length_days","int0",OPT),
 ("visit.funding",("enum",["self","sponsor","employer"]),OPT),("visit.cost_gbp","num0",OPT),
 ("visit.sponsor.name","string",OPT),("visit.sponsor.email","string",OPT),("visit.sponsor.phone","string",OPT),
 ("employment.status",("enum","employed self_employed student retired unemployed".split()),OPT),
 ("employment.years_in_role","num0",OPT),("employment.monthly_income_gbp","num0",OPT),
 ("finances.savings_gbp","num0",OPT),("finances.owns_property","bool",OPT),
 ("family.partner_at_home","bool",OPT),("family.dependants_at_home","int0",OPT),
 ("travel_history",("list",[("country","country"),("year","int"),("complied","bool")]),OPT),
 ("uk_history.visits",("list",[("year","int"),("complied","bool")]),OPT),
 ("uk_history.refusals",("list",[("year","int")]),OPT),
 ("uk_history.overstayed","bool",REQ),("uk_history.removed_or_deported","bool",REQ),("uk_history.breached_conditions","bool",REQ),
 ("criminality.convictions","bool",REQ),("criminality.pending_charges","bool",REQ),("criminality.cautions","bool",REQ),
 ("criminality.terrorism_or_extremism","bool",REQ),("criminality.war_crimes","bool",REQ),
 ("medical_treatment_planned","bool",OPT)]
class Bad(Exception): pass
def badconst(x): raise Bad("constant "+x)
def has_lone(o):
    if isinstance(o,str): return re.search('[\ud800-\udfff]',o) is not None
    if isinstance(o,list): return any(has_lone(x) for x in o)
    if isinstance(o,dict): return any(has_lone(k) or has_lone(v) for k,v in o.items())
    return False
def pdate(s):
    if not isinstance(s,str) or not re.fullmatch(r'\d{4}-\d{2}-\d{2}',s): raise Bad("date")
    try: return datetime.date(int(s[:4]),int(s[5:7]),int(s[8:]))
    except ValueError: raise Bad("date")
def check(t,v):
    if t=="string":
        if not isinstance(v,str): raise Bad("type")
        return v
    if t=="date": return pdate(v)
    if t=="country":
        if not isinstance(v,str) or not re.fullmatch('[A-Z]{3}',v): raise Bad("country")
        return v
    if t=="bool":
        if not isinstance(v,bool): raise Bad("type")
        return v
    if t in("int","int0"):
        if isinstance(v,bool) or not isinstance(v,int): raise Bad("type")
        if t=="int0" and v<0: raise Bad("min")
        return v
    if t=="num0":
        if isinstance(v,bool) or not isinstance(v,(int,float)): raise Bad("type")
        if v<0: raise Bad("min")
        return v
    if t[0]=="enum":
        if v not in t[1]: raise Bad("enum")
        return v
    if t[0]=="list":
        if not isinstance(v,list): raise Bad("type")
        out=[]
        for e in v:
            if not isinstance(e,dict): raise Bad("type")
            d={}
            for k,kt in t[1]:
                if e.get(k) is None: raise Bad("elem missing")
                d[k]=check(kt,e[k])
            out.append(d)
        return out
def get(o,path):
    cur=o
    for p in path.split('.'):
        if cur is None: return None
        if not isinstance(cur,dict): raise Bad("not object")
        cur=cur.get(p)
    return cur
def validate(line):
    try: o=json.loads(line, parse_constant=badconst)
    except Bad: raise
    except Exception: raise Bad("json")
    if not isinstance(o,dict): raise Bad("not object")
    if has_lone(o): raise Bad("surrogate")
    rec={}
    for path,t,req in SCHEMA:
        v=get(o,path)
        if v is None:
            if req: raise Bad("missing "+path)
            continue
        rec[path]=check(t,v)
    return rec
def years_between(a,b):
    bd=(a.month,a.day)
    if bd==(2,29) and not (b.year%4==0 and (b.year%100!=0 or b.year%400==0)): bd=(3,1)
    y=b.year-a.year
    if (b.month,b.day)<bd: y-=1
    return y
# Table key normalisation (docs/language.md, "Bulk data tables"): blanks are
# Unicode White_Space and Default_Ignorable_Code_Point (Unicode 14.0); an
# email or phone is trimmed of them; a document loses them and dashes
# anywhere; only ASCII letters change case, only 0-9 are digits.
BLANK='[\t-\r \x85\xa0\xad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5\u180b-\u180f\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]'
DASH='[\\-\u2010-\u2015\u2212\ufe63\uff0d]'
UP=str.maketrans('abcdefghijklmnopqrstuvwxyz','ABCDEFGHIJKLMNOPQRSTUVWXYZ')
LOW=str.maketrans('ABCDEFGHIJKLMNOPQRSTUVWXYZ','abcdefghijklmnopqrstuvwxyz')
def trim(s): return re.sub('^'+BLANK+'+|'+BLANK+'+$','',s)
def ndoc(s): return re.sub(BLANK+'|'+DASH,'',s).translate(UP)
def nemail(s): return trim(s).translate(LOW)
def nphone(s):
    s=trim(s)
    return ('+' if s.startswith('+') else '')+''.join(c for c in s if c in '0123456789')
def ncontact(s): return nemail(s) if '@' in s else nphone(s)  # a table entry, by its value
def load(d):
    docs=set(); cons=set()
    L=open(d+'/false_documents.csv').read().splitlines()[1:]
    for l in L:
        c,n=l.split(',',1); docs.add((c,ndoc(n)))
    for l in open(d+'/false_contacts.csv').read().splitlines()[1:]:
        if l: cons.add(ncontact(l))
    return docs,cons
U=None
def OR(*xs):
    if any(x is True for x in xs): return True
    if any(x is U for x in xs): return U
    return False
def AND(*xs):
    if any(x is False for x in xs): return False
    if any(x is U for x in xs): return U
    return True
def route(r,docs,cons):
    g=r.get; ry=r['received'].year
    if r['route'] in NOTRATED: return "NONE",["SCOPE-1"]
    m=[]
    if (r['applicant.passport.issuing_country'],ndoc(r['applicant.passport.number'])) in docs: m.append("BDT-DOC")
    if any(g(f) is not None and n(g(f)) in cons for f,n in [("contact.email",nemail),("contact.phone",nphone),("visit.sponsor.email",nemail),("visit.sponsor.phone",nphone)]): m.append("BDT-CONTACT")
    if m: return "CXDR",m
    age=years_between(r['applicant.date_of_birth'],r['received'])
    def cmp(a,b,f): return U if a is None or b is None else f(a,b)
    p1=AND(g('visit.purpose')=='business', cmp(g('visit.length_days'),90,lambda a,b:a>b), cmp(g('visit.funding'),'sponsor',lambda a,b:a==b))
    th=g('travel_history')
    p2=AND(r['applicant.nationality'] in('QZA','QZB'), 18<=age<=29, g('visit.purpose')=='tourism', U if th is None else not any(t['year']>=ry-5 for t in th))
    end=None if g('visit.arrival_date') is None or g('visit.length_days') is None else g('visit.arrival_date')+datetime.timedelta(days=g('visit.length_days'))
    p3=cmp(end,g('applicant.passport.expiry_date'),lambda a,b:a>b)
    m=[n for n,v in [("PRF-001",p1),("PRF-002",p2),("PRF-003",p3)] if v is True]
    if m: return "CXDR",m
    refs=g('uk_history.refusals'); vis=g('uk_history.visits')
    c1=any(r['criminality.'+k] for k in "convictions pending_charges cautions terrorism_or_extremism war_crimes".split())
    c2=any(r['uk_history.'+k] for k in "overstayed removed_or_deported breached_conditions".split())
    c3=U if refs is None else any(x['year']>=ry-10 for x in refs)
    c4=OR(g('medical_treatment_planned'), g('visit.purpose')=='medical')
    m=[n for n,v in [("S-CX-1",c1),("S-CX-2",c2),("S-CX-3",c3),("S-CX-4",c4)] if v is True]
    if m: return "CXDR",m
    n1=AND(U if vis is None else sum(1 for v in vis if v['year']>=ry-5)>=2, U if vis is None else all(v['complied'] for v in vis), U if refs is None else len(refs)==0)
    if n1 is True: return "NCXDR",["S-NCX-1"]
    a1=U if th is None else any(t['country'] in ('USA','CAN','AUS','NZL','JPN','IRL') and t['complied'] and t['year']>=ry-5 for t in th)
    a2=U if vis is None else any(v['complied'] for v in vis)
    a3=AND(U if g('employment.status') is None else g('employment.status') in('employed','self_employed'), cmp(g('employment.years_in_role'),2,lambda a,b:a>=b))
    b1=cmp(g('employment.monthly_income_gbp'),1500,lambda a,b:a>=b)
    b2=cmp(g('finances.savings_gbp'),g('visit.cost_gbp'),lambda a,b:a>=b*3)
    b3=U if g('finances.owns_property') is None else g('finances.owns_property')
    b4=OR(g('family.partner_at_home'), cmp(g('family.dependants_at_home'),1,lambda a,b:a>=b))
    b5=cmp(g('visit.length_days'),30,lambda a,b:a<=b)
    b6=25<=age<=70
    ms=[(n,v) for n,v in [("M-A1",a1),("M-A2",a2),("M-A3",a3),("M-B1",b1),("M-B2",b2),("M-B3",b3),("M-B4",b4),("M-B5",b5),("M-B6",b6)] if v is True]
    names=[n for n,_ in ms]
    if len(ms)>=3 and any(n.startswith("M-A") for n in names): return "NCXPCA",names
    return "CXPCA",names
def main():
    docs,cons=load(sys.argv[1])
    out=[]
    for i,line in enumerate(open(sys.argv[2],'rb').read().split(b'\n'),1):
        if line.strip(b' \t\r')==b'': continue  # blank: only JSON whitespace (not \f, \v)
        try:
            s=line.decode('utf-8')
            r=validate(s)
        except (Bad,UnicodeDecodeError) as e:
            try:
                o=json.loads(line); idv=o.get('id') if isinstance(o,dict) and isinstance(o.get('id'),str) and not has_lone(o.get('id')) else None
            except Exception: idv=None
            out.append({"id":idv,"outcome":"ERROR","rules":[],"line":i,"why":str(e)}); continue
        o,rules=route(r,docs,cons)
        out.append({"id":r['id'],"outcome":o,"rules":rules})
    if len(sys.argv)==5 and sys.argv[3]=='--compare':
        got=[json.loads(l) for l in open(sys.argv[4],encoding='utf-8') if l.strip()]
        bad=0
        if len(got)!=len(out):
            print("line counts differ: %d routed, %d expected"%(len(got),len(out))); bad+=1
        for n,(g,w) in enumerate(zip(got,out),1):
            if (g['outcome'],g['rules'])!=(w['outcome'],w['rules']):
                bad+=1; print("output line %d (%s): routed %s %s, guidance says %s %s"%(n,w['id'],g['outcome'],g['rules'],w['outcome'],w['rules']))
        print("%d of %d lines differ"%(bad,len(out)))
        sys.exit(1 if bad else 0)
    for o in out:
        print(json.dumps(o,ensure_ascii=False))
main()
