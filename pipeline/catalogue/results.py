"""What score writes (the flag, its score and its reasons), the columns export adds, and the run metadata."""
from pipeline.catalogue.model import Column as C, Dataset

SCORE, CRIT, TYP = "Vlag en score", "Criteria", "Typologie"
CRITERION_LABELS = {"water": "Water", "milieuruimte": "Milieuruimte", "multimodaal": "Multimodaal",
                    "cluster": "Cluster", "omvang": "Omvang", "netcapaciteit": "Netcapaciteit"}

SCORE_COLUMNS = (
    C("gemeente_naam", "str", "Gemeente", nullable=False, groep="Algemeen", rapport=True,
      description="from gemeente_code (pipeline/data/gemeente_regio.csv); the code itself when unknown"),
    C("regio", "str", "Regio", nullable=False, groep="Algemeen", rapport=True,
      description="the gemeente's region (pipeline/data/gemeente_regio.csv); 'onbekend' for an unknown gemeente"),
    C("{criterium}_ruw", "float", "{criterium}: ruwe waarde", "", 2, nullable=False, groep=CRIT,
      description="the criterion's raw value (water m, milieuruimte ha, multimodaal count, cluster ha, omvang ha, "
                  "netcapaciteit 0..1); unused room is no criterion"),
    C("{criterium}_norm", "float", "{criterium}: genormaliseerd", "", 3, nullable=False, groep=CRIT,
      description="raw value scaled to 0..1 over all terreinen (score.normalisatie)"),
    C("{criterium}_gewicht", "float", "{criterium}: gewicht", "", 3, nullable=False, groep=CRIT),
    C("{criterium}_bijdrage", "float", "{criterium}: bijdrage", "", 3, nullable=False, groep=CRIT,
      description="norm x gewicht"),
    C("{criterium}_sterk", "bool", "{criterium}: sterk", nullable=False, groep=CRIT,
      description="raw > 0 and raw >= the criterion's 'sterk' threshold"),
    C("aantal_sterk", "int", "Aantal sterke kwaliteiten", nullable=False, groep=SCORE, rapport=True),
    C("zeef", "bool", "Door de zeef", nullable=False, groep=SCORE, rapport=True,
      description="a defining quality (water, milieuruimte, multimodaal) is sterk"),
    C("zeef_reden", "str", "Zeef: reden", nullable=False, groep=SCORE),
    C("score", "float", "Score", "", 3, nullable=False, groep=SCORE, rapport=True,
      description="sum of the criteria's bijdrage"),
    C("vlag", "bool", "Strategisch (vlag)", nullable=False, groep=SCORE, rapport=True,
      description="bovenmatig strategisch belang: zeef AND (aantal_sterk >= k OR score >= percentile)"),
    C("vlag_tak", "str", "Vlag via", groep=SCORE, rapport=True, description="'sterk', 'score', 'beide' or null"),
    C("flag_stabiliteit", "float", "Stabiliteit van de vlag", "", 2, nullable=False, groep=SCORE, rapport=True,
      description="share of Monte Carlo runs (perturbed weights and thresholds) in which the terrein is flagged"),
    C("grensgeval", "bool", "Grensgeval", nullable=False, groep=SCORE, rapport=True,
      description="fewer than score.grensgeval_onder of the runs agree with the flag"),
    C("rang", "int", "Rang", nullable=False, groep=SCORE, rapport=True, description="1 = highest score"),
    C("rangband", "str", "Rangband", nullable=False, groep=SCORE, rapport=True),
    C("{criterium}_rang_regio", "int", "{criterium}: rang in de regio", groep=CRIT,
      description="rank of the raw value among the terreinen of the same regio (1 = largest, equal values share the "
                  "lowest rank); null when the raw value is 0"),
    C("{criterium}_rang_provincie", "int", "{criterium}: rang in de provincie", groep=CRIT,
      description="the same among all terreinen of the run"),
    C("regio_aantal", "int", "Terreinen in de regio", nullable=False, groep="Algemeen"),
    C("rang_kwaliteiten", "str", "Rang per kwaliteit", nullable=False, groep=SCORE, rapport=True,
      description="per quality (water, milieuruimte, multimodaal, cluster) with a raw value > 0: its rank in the "
                  "regio and in the province, e.g. 'kademeters: 3e van 58 in West-Brabant, 5e van 650 in de provincie'"),
    C("waarom", "str", "Waarom", nullable=False, groep=SCORE, rapport=True, description="one Dutch line"),
    C("aandeel_hmc_onbenut", "float", "Aandeel HMC-ruimte onbenut", "", 2, groep=TYP,
      description="potentie_milieuruimte_ha / ha HMC-capable (hmc_vanaf); null without HMC room or when the use is "
                  "unknown"),
    C("aandeel_kade_onbenut", "float", "Aandeel kade onbenut of vrij", "", 2, groep=TYP,
      description="potentie_kades_m / kade_m; null without quay"),
    C("aandeel_uitgeefbaar", "float", "Aandeel uitgeefbaar", "", 2, groep=TYP,
      description="ha_uitgeefbaar / ha_netto (ha_bruto without netto); null when unknown"),
    C("benutting", "str", "Benutting", nullable=False, groep=TYP,
      description="'onderbenut' when the HMC room, the quay or the issuable land has an unused part of at least the "
                  "absolute threshold (score.onderbenut_hmc_ha / _kade_m / _uitgeefbaar_ha) and at least "
                  "score.onderbenut_aandeel of its capacity; else 'goed benut'"),
    C("typologie", "str", "Typologie", nullable=False, groep=TYP, rapport=True,
      description="strategisch x benutting: 'beschermen en benutten' (priority), 'beschermen', "
                  "'benutten / herstructureren', 'regulier'"),
    C("typologie_reden", "str", "Typologie: waarom", nullable=False, groep=TYP, rapport=True,
      description="strategisch or not, and which unused part (amount and share) makes it onderbenut"),
    C("typologie_actie", "str", "Beleidsactie", nullable=False, groep=TYP, rapport=True,
      description="the policy action the type implies (Dutch)"),
)

RESULTS = [
    Dataset("terreinen_strategisch", "score",
            "The flag 'bovenmatig strategisch belang' per terrein: every column of terreinen_indicatoren plus these",
            SCORE_COLUMNS, geometry="Polygon", key="rin_nummer", extends="terreinen_indicatoren",
            readers=("export",)),
    Dataset("terreinen_uitvoer", "export",
            "The terreinen as the GeoPackage, maps and report show them: terreinen_strategisch plus these",
            (C("vlag_klasse", "str", "Klasse", nullable=False, groep=SCORE, rapport=True,
               description="strategisch / grensgeval / niet strategisch"),),
            geometry="Polygon", key="rin_nummer", extends="terreinen_strategisch", format="gpkg"),
]

METADATA = [
    Dataset("ingest_kwaliteit", "ingest", "Data-quality report: per layer, source and feature kind what was read, "
            "kept, repaired, dropped (and how much of that was a loss rather than a selection) and why", (
                C("laag", "str", "Laag", nullable=False), C("bron", "str", "Bron", nullable=False),
                C("soort", "str", "Soort", description="feature kind (e.g. BGT type); empty = the source's total row"),
                C("bronbestand", "str", "Bronbestand"), C("gelezen", "int", "Gelezen", nullable=False),
                C("behouden", "int", "Behouden", nullable=False), C("gerepareerd", "int", "Gerepareerd", nullable=False),
                C("verwijderd", "int", "Verwijderd", nullable=False),
                C("waarvan_verlies", "int", "Waarvan verlies", nullable=False,
                  description="dropped rows that are a loss (unreadable, wrong geometry), not a deliberate selection"),
                C("samengevoegd", "int", "Samengevoegd", nullable=False),
                C("leeg_gemaakt", "int", "Leeg gemaakt", nullable=False,
                  description="values of optional fields emptied because they could not be read"),
                C("reden", "str", "Reden"),
            ), format="csv", readers=("export",)),
    Dataset("ingest_bronnen", "ingest", "Provenance per source file (list under 'bronnen')", (
        C("bron", "str", "Bron", nullable=False), C("pad", "str", "Pad", nullable=False),
        C("laag", "str", "Laag"), C("formaat", "str", "Formaat"), C("sha256", "str", "SHA-256", nullable=False),
        C("rijen", "int", "Rijen", nullable=False), C("crs", "str", "CRS"), C("peildatum", "str", "Peildatum"),
    ), format="json", readers=("export",)),
    Dataset("analyse_instellingen", "analyse", "The analyse settings used, notes and compute time per analysis", (
        C("instellingen", "json", "Instellingen", nullable=False), C("opmerkingen", "json", "Opmerkingen"),
        C("rekentijd_s", "json", "Rekentijd (s)"), C("richtafstanden", "str", "Richtafstanden"),
        C("sbi", "json", "SBI-tabel",
          description="the SBI table(s) used (ingebouwd / gemeentelijk, path, rows, confirmed rows) and how many "
                      "vestigingen got their category from confirmed rows, unconfirmed rows or no row"),
    ), format="json", readers=("export",)),
]
