/**
 * Word classes the model learns weights for, beside n-grams: an n-gram model learns that
 * "ignore … instructions" is an injection, but not that "disregard … directives", "vergiss …
 * Anweisungen" or "haz caso omiso de … reglas" say the same unless each pairing was in its
 * training data. Mapping words to classes (an override verb, an instruction noun, an address to
 * the AI, …) and learning weights for classes and for pairs of classes a few words apart lets
 * what was learnt from one phrasing carry to its synonyms and translations. The classes carry no
 * weight of their own: the training data decides what each class and pair means, including the
 * benign ones (talk about attacks, translation, the writer's own messages).
 *
 * Each string lists entries separated by spaces. An entry ending in `*` matches words that start
 * with it; others match the whole word. A word takes the class of its exact entry, else of its
 * longest matching prefix; an entry belongs to one class only. Entries are written folded (lower case, no accents), as the detector sees text. The lexicon is written
 * into the weights file, so the scorer needs nothing else.
 */
export const conceptLexicon: Readonly<Record<string, readonly string[]>> = {
  override: [
    'ignor* disregard* forget* forgot* vergiss* vergess* oubli* olvid* dimentic* esquec* negeer*',
    'vergeet* overrid* bypass* circumvent* umgeh* contourn* elud* skip* discard* verwirf*',
    'verwerf* descart* abandon* missacht* cancel* annul* revok* void obsolet* ungultig*',
    'hinfallig* aufgehob* sauter saltat* salta* omit* disobey* desobedec* scavalc* ignora*',
    'overrule* supersed*',
  ],
  instruction: [
    'instruction* instruc* instruk* anweisung* consigne* directive* direktive* directriz*',
    'directrice* indicacion* istruzion* rule rules regel* regle* regla* regol* norma normas',
    'guideline* richtlinie* policy policies politique* politica* prompt* systemprompt* guidance',
    'orders befehl* vorgab* vorgaben restriction* einschrankung* beschrankung* restriccion*',
    'restrizion* guardrail* programming programmierung directions directives auftrag* auftrage',
    'ordres ordenes limitation* principles grundsatz* constraints',
  ],
  system: [
    'system systeme sistema systems developer* entwickler* developpeur* desarrollador* operator*',
    'betreiber* admin*',
  ],
  earlier: [
    'previous* prior earlier above preceding initial* original* vorherig* bisherig* obig* vorher',
    'zuvor davor precedent* anterior* previa* previo* arriba precedent* dessus before beforehand',
    'ursprunglich* eerdere vorangegangen*',
  ],
  everything: [
    'all everything alles alle tout toutes tous todo todas todos tutto tutte tutti any every',
    'jede* chaque cada',
  ],
  reveal: [
    'reveal* print* show* display* output* repeat* dump* leak* expos* disclos* verrat* zeig*',
    'ausgeb* gib wiederhol* affich* revel* montr* repet* divulg* muestr* mostr* repit* ensen*',
    'verbatim wortlich* textuel* literal* recite*',
  ],
  secret: [
    'secret* confidential* hidden internal* private password* passwort* passe contrasen*',
    'credential* token* geheim* vertraulich* versteckt* intern* cache* confidentiel* oculto*',
    'oculta* secreto* secreta* confidencial* segret* key keys schlussel* cle cles clave*',
    'zugangsdaten identifiant* credenciales configuration* konfiguration* configuracion* config',
  ],
  artificial: [
    'ai ki ia llm* assistant* assistent* asistente* chatgpt gpt* copilot* claude gemini chatbot*',
    'bot bots agent agents agente* model models modell* modele* modelo* sprachmodell* language',
    'langage lenguaje automated automatis* automatic* summarizer* summariser* screening reviewer',
  ],
  persona: [
    'pretend* act acting roleplay* role rolle papel personaje character* persona* simulat*',
    'imagin* fais semblant finge* interpret* spiel* jeu juego juguemos jouons game play become',
    'werde deviens conviertete verkorper* incarne* stay bleib* reste mantente mode modus modo',
    'hypothetical*',
  ],
  unrestricted: [
    'unrestricted unfiltered uncensored unlimited jailbreak* jailbroken dan stan freed free frei*',
    'befreit* libre* libere* liberado* ungefiltert uneingeschrankt zensur* amoral* unethical',
    'unmoral* anything never niemals jamais nunca refuse* refus* ablehn* rechaz* limits limites',
    'grenzen limit ethic* ethisch* etic* moral* without ohne sans sin senza keine keinerlei',
    'aucun* ningun* nessun* no',
  ],
  fresh: [
    'new neue neuer neues neu nouvelle* nouveau* nueva* nuevo* nuova nuovo now jetzt nun',
    'maintenant desormais ahora ora henceforth onward* forward',
  ],
  task: [
    'task* aufgabe* tache* tarea* compito assignment* mission* job goal objective* ziel objectif',
    'objetivo',
  ],
  stealth: [
    'silent* quiet* secretly unbemerkt heimlich* discret* secreto unnoticed nobody niemand*',
    'personne nadie erwahn* mencion* notify* benachrichtig* confirm* confirmation',
    'bestatig* asking nachzufragen ruckfrage demander preguntar avisar prevenir hide hiding',
    'verberg* cacher esconde*',
  ],
  act: [
    'delete* remove* drop transfer* send sending forward* wire pay payment execut* run call',
    'invoke* grant* disable* approve* merge* push publish* upload* post book losch* uberweis*',
    'schick* sende* leite weiter* ausfuhr* fuhre supprim* envoi* envoie transfere* virement borr*',
    'envi* reenvi* ejecut* transferencia elimina* cancella* invia* esegui* deaktivier* desactiv*',
    'abschalt* schalte export* install* curl bash sh rm shell terminal tool tools werkzeug*',
    'outil* herramienta* strumento',
  ],
  reply: ['response* reply replies answer* antwort* reponse* respuesta* risposta* resposta* output'],
  insertion: [
    'add append* include* insert* integrat* incorporat* embed* mention* modif* enhanc* augment*',
    'hinzufug* fuge einfug* erwahne ajout* inclu* insere* mentionn* anad* agreg* incluy* aggiung*',
  ],
  utter: [
    'say sag sage dis di dites write schreib* ecri* escrib* respond* antworte* reponds* responde* sagen dire decir',
  ],
  instead: ['instead stattdessen anstatt statt plutot lieu lugar vez invece'],
  only: [
    'only nur seulement uniquement solo solamente unicamente soltanto else sonst nada rien nothing nichts',
  ],
  breach: ['pwned hacked gehackt hackeado pirate* hacke* owned compromised kompromittiert'],
  authority: [
    'creator* schopfer* createur* creador* owner* official* offiziell* officiel* oficial* authoriz* authoris*',
    'autoris* autoriz* erlaub* permission* berechtig* permis* openai anthropic google microsoft',
  ],
  urgency: [
    'urgent* dringend* emergency notfall urgence urgencia immediately sofort immediatement inmediatamente asap priority prioritat* priorite* prioridad',
  ],
  userdata: [
    'user* nutzer* benutzer* utilisateur* usuario* utente customer* kunde* client* inbox',
    'postfach* mailbox boite buzon history conversation* chat chatverlauf verlauf historique',
    'historial cronologia address* adresse* direccion* phone telefon* telephone card karte* carte',
    'tarjeta* iban account* konto* compte* cuenta* contacts kontakte session* cookie* env ssh',
    'database datenbank records messages emails mails correos courriels',
  ],
  link: ['http https www url link* lien* enlace* img src image bild pixel'],
  summary: [
    'summar* zusammenfass* resum* riassum* reading read lies* liest lit lee processing',
    'verarbeit*',
  ],
  addressee: ['note hinweis nota notice attention achtung atencion important* wichtig*', 'warning ps'],
  conditional: ['if falls wenn si se when whenever lorsque quand cuando'],
  you: ['you your yours du dein* dir dich tu ton ta tes toi te tus vous votre vos usted vuestr*'],
  mine: [
    'my mine me i mein* mir mich ich mon ma mes moi je mi mis yo we our wir unser* nous notre nos',
    'nosotros nuestr*',
  ],
  discussion: [
    'attack* angriff* angreifer* attaque* attaquant* ataque* atacante* vulnerab* defen* mitigat*',
    'detect* erkenn* protect* schutz* schutz proteg* threat* bedrohung* menace* amenaza* pentest*',
    'redteam audit* example* beispiel* exemple* ejemplo* research* study studie paper* explain*',
    'erklar* expliqu* explica* how wie comment como why warum pourquoi what was que risk* risiko*',
    'risque* riesgo* filter* classifier* detector* benchmark* injection* injektion* inyeccion*',
    'security sicherheit* securite seguridad awareness training schulung formation formacion',
    'advisory cve mitigation*',
  ],
  translate: [
    'translat* ubersetz* tradui* traduc* tradu* traduz* vertaal* sagt mean means',
    'heisst signifie significa word wort mot palabra',
  ],
  correspondence: [
    'typo* tippfehler* faute* falta* spelling rechtschreib* orthograph* ortograf* mistake*',
    'fehler* erreur* error* draft* entwurf* brouillon* borrador* message nachricht* email mail',
    'e-mail correo courriel ticket* version* file datei* fichier* archivo* attachment* anhang*',
    'piece adjunt* invoice* rechnung* facture* factura* order bestellung* commande* pedido*',
    'meeting* termin* reunion* slot question frage pregunta formatting formatierung heading*',
  ],
};
