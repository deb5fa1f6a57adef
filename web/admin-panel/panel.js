// Maxis admin panel. One ES module, no framework, no inline anything: every element is built with the
// DOM API, text always goes through textContent, and server or URL data is read field by field, never
// merged into objects.

// Built-in prototypes are frozen before anything else runs, so that no data can pollute them.
for (const ctor of [Object, Array, Function, String, Number, Boolean, Symbol, RegExp, Date, Promise, Map, Set,
    WeakMap, WeakSet, Error, TypeError, URL, URLSearchParams, JSON, Math, Reflect]) {
    if (ctor.prototype) Object.freeze(ctor.prototype);
    Object.freeze(ctor);
}

const PAGE = document.body.dataset.page;
const LANG = document.documentElement.lang === 'en' ? 'en' : 'fr';

const TEXT = Object.freeze({
    fr: Object.freeze({
        giveaways: 'Concours', gw_list: 'Concours', gw_prize: 'Lot', gw_entrants: 'Participants', gw_winners: 'Gagnants', gw_ends: 'Fin',
        gw_running: 'en cours', gw_ended: 'terminé', gw_cancelled: 'annulé', gw_none: 'Aucun concours pour l’instant.', gw_select: 'Choisissez un concours dans la liste.',
        gw_nobody: 'personne', gw_open: 'Voir', gw_title: 'Concours n° {id} : {prize}', gw_starts: 'Début', gw_proof: 'Preuve du tirage (JSON)', gw_proof_later: 'publiée à la fin du tirage',
        gw_no_proof: 'pas de tirage', gw_hash: 'Empreinte du tirage', gw_roi: 'Retour sur investissement', gw_window: 'Période comptée',
        gw_window_text: 'du {from} au {to} (la fin plus 30 jours)', gw_so_far: 'Période encore ouverte : chiffres au {d}.', gw_cost: 'Coût du lot', gw_no_cost: 'non renseigné',
        gw_gained: 'Membres gagnés', gw_gained_detail: '{n} ({joined} arrivée(s), dont {left} reparti(e)s)', gw_revenue: 'Revenus de ces membres',
        gw_revenue_detail: '{total} (boutique {shop}, offres {plans})', gw_paying: 'Membres payants', gw_net: 'Résultat', gw_roi_pct: 'ROI', gw_per_member: 'Coût par membre gagné',
        gw_chart: 'Arrivées, départs et revenus par jour', gw_revenue_day: 'Revenus', gw_end_now: 'Terminer maintenant', gw_cancel: 'Annuler le concours', gw_reroll: 'Nouveau tirage',
        gw_sure: '{action} : confirmer ?', gw_yes: 'Oui, confirmer', gw_keep: 'Non, ne rien faire', gw_done_end: 'Concours n° {id} terminé.', gw_done_cancel: 'Concours n° {id} annulé.',
        gw_done_reroll: 'Nouveau tirage du concours n° {id} effectué.', gw_cost_label: 'Coût du lot (par ex. 25,00)', gw_set_cost: 'Enregistrer le coût', gw_cost_saved: 'Coût enregistré : {cost}.',
        gw_leaders: 'Classement des pièces', gw_week: 'Cette semaine', gw_month: 'Ce mois-ci', gw_all: 'Depuis toujours', gw_rank: 'Rang', gw_earned: 'Pièces gagnées',
        gw_no_leaders: 'Personne n’a encore gagné de pièces sur cette période.', gw_period: 'Période',
        'e_giveaways.bad_cost': 'Le coût du lot va de 0 à 1 000 000 000,00 €.', 'e_giveaways.not_running': 'Ce concours est terminé : il ne peut plus être modifié ainsi.',
        'e_giveaways.not_ended': 'Ce concours n’est pas encore terminé : le tirage vient à la fin.', 'e_giveaways.no_one_left': 'Tous les participants ont déjà gagné : personne d’autre à tirer.',
        'e_giveaways.no_winner_to_replace': 'Personne n’a été tiré : pas de gagnant à remplacer.',
        // Pre-orders: items, their tiers, sales over time, buyers.
        preorders: 'Pré-commandes', po_none: 'Aucune pré-commande pour l’instant.', po_select: 'Choisissez une pré-commande dans la liste.',
        po_item: 'Article', po_release: 'Sortie', po_countdown: 'Compte à rebours', po_tiers: 'Paliers', po_price: 'Prix plein',
        po_draft: 'brouillon', po_open: 'en vente', po_closed: 'ventes fermées', po_released: 'sortie', po_cancelled: 'annulée', po_past: 'date passée',
        po_new: 'Nouvelle pré-commande', po_edit_title: 'Modifier « {name} »', po_name: 'Nom', po_price_label: 'Prix plein (€, par ex. 59,99)',
        po_release_label: 'Date et heure de sortie (heure de la communauté : {zone})', po_description: 'Description', po_image: 'Image (lien https://…)',
        po_delivery: 'Instructions de livraison (envoyées aux acheteurs le jour de la sortie)', po_limit: 'Places par membre',
        po_tier_n: 'Palier {n}', po_tier: 'Palier', po_tier_name: 'Nom', po_discount: 'Réduction (%)', po_seats: 'Places (vide : sans limite)',
        po_create: 'Créer la pré-commande', po_save: 'Enregistrer les modifications', po_cancel_edit: 'Abandonner la modification',
        po_locked: 'Des places sont déjà vendues : seuls les nombres de places peuvent augmenter.',
        po_created: 'Pré-commande « {name} » créée en brouillon : ouvrez les ventes quand vous êtes prêt.', po_saved: 'Pré-commande « {name} » enregistrée.',
        po_unchanged: 'Rien n’a changé.', po_moved: 'La date de sortie a changé : les acheteurs sont prévenus et peuvent annuler (remboursés).',
        po_open_action: 'Ouvrir les ventes', po_close_action: 'Fermer les ventes', po_cancel_action: 'Annuler la pré-commande', po_edit: 'Modifier',
        po_cancel_sure: 'Annuler « {name} » : tous les acheteurs seront remboursés, et c’est définitif. Confirmer ?',
        po_opened: '« {name} » est en vente.', po_closed_done: 'Ventes de « {name} » fermées.', po_cancelled_done: '« {name} » annulée : tous les acheteurs sont remboursés.',
        po_sold: 'Vendues', po_held: 'En cours de paiement', po_open_seats: 'Disponibles', po_unlimited: 'sans limite', po_tier_price: 'Prix',
        po_chart: 'Places vendues par palier (cumul par jour)', po_revenue: 'Chiffre d’affaires', po_refunded: 'Remboursé', po_buyers_n: 'Acheteurs',
        po_buyers: 'Acheteurs', po_paid_at: 'Payée le', po_no_buyers: 'Aucun acheteur pour l’instant.', po_csv: 'Exporter en CSV',
        po_per_member: 'Limite par membre', po_delivery_short: 'Livraison', po_moves: 'Date de sortie déplacée', po_late: 'paiement tardif',
        ps_held: 'paiement en cours', ps_paid: 'payée', ps_fulfilled: 'livrée', ps_released: 'abandonnée', ps_refunding: 'remboursement en cours', ps_refunded: 'remboursée',
        po_bad_name: 'Donnez un nom (100 caractères au plus).', po_bad_price: 'Prix invalide : un montant en euros comme 59,99.',
        po_bad_release: 'Donnez une date et une heure de sortie à venir.', po_bad_limit: 'Les places par membre : un nombre entier de 1 à 1 000.',
        po_bad_tier: 'Palier {n} : un nom (40 caractères au plus), une réduction de 0 à 99 % et de 1 à 100 000 places (vide : sans limite, pour le dernier seulement).',
        'e_preorders.unknown': 'Cette pré-commande n’existe pas.', 'e_preorders.not_open': 'Cette pré-commande n’est pas en vente.',
        'e_preorders.sold_out': 'Plus aucune place.', 'e_preorders.limit': 'Limite de places par membre atteinte pour cet article.',
        'e_preorders.payments_off': 'Les paiements ne sont pas configurés (clé Stripe manquante) : rien n’a été fait.',
        'e_preorders.checkout_failed': 'Stripe n’a pas pu créer le paiement : réessayez dans un moment.',
        'e_preorders.release_past': 'La date de sortie est passée : donnez une date à venir. Rien n’a changé.',
        'e_preorders.price': 'Stripe refuse ce prix pour au moins un palier (après sa réduction) : rien n’a changé.',
        'e_preorders.tiers_locked': 'Des places sont vendues : seuls les nombres de places peuvent augmenter. Rien n’a changé.',
        'e_preorders.seats_down': 'Après une vente, un nombre de places ne peut pas baisser. Rien n’a changé.',
        'e_preorders.bad_move': 'Impossible dans l’état actuel de la pré-commande : rien n’a changé.',
        'e_preorders.name': 'Donnez un nom (100 caractères au plus) : rien n’a changé.', 'e_preorders.tier_count': 'De 1 à 8 paliers : rien n’a changé.',
        'e_preorders.tier_name': 'Chaque palier a un nom de 40 caractères au plus : rien n’a changé.',
        'e_preorders.tier_discount': 'Une réduction va de 0 à 99 % : rien n’a changé.',
        'e_preorders.tier_order': 'Chaque palier a une réduction plus petite que le précédent : rien n’a changé.',
        'e_preorders.tier_seats': 'Un palier a de 1 à 100 000 places : rien n’a changé.',
        'e_preorders.tier_unlimited': 'Seul le dernier palier peut être sans limite : rien n’a changé.',
        'e_preorders.image': 'L’image doit être un lien commençant par https:// : rien n’a changé.',
        'e_preorders.member_limit': 'Les places par membre vont de 1 à 1 000 : rien n’a changé.',
        'e_preorders.too_long': 'Un texte est trop long (description : 1 000 caractères, livraison : 2 000) : rien n’a changé.',
        'e_preorders.currency': 'Les paiements ne prennent pas cette devise : rien n’a changé.',
        dashboard: 'Tableau de bord', users: 'Membres', tickets: 'Tickets', logs: 'Journaux', settings: 'Réglages',
        logout: 'Se déconnecter', nav: 'Navigation principale', language: 'English', language_label: 'Switch to English',
        login_title: 'Connexion au panneau Maxis', login_with_discord: 'Se connecter avec Discord',
        login_hint: 'Réservé à l’équipe. Première installation sans Discord : lancez « maxis admin login-link --as VOTRE_NOM » et ouvrez le lien affiché.',
        error_expired: 'La connexion a expiré ou a déjà servi. Recommencez.', error_link: 'Ce lien de connexion est inconnu, déjà utilisé ou expiré.',
        error_discord: 'Discord n’a pas pu confirmer la connexion. Réessayez.', error_cancelled: 'Connexion annulée.',
        error_oauth_unconfigured: 'La connexion Discord n’est pas configurée (panel.oauth_client_id et MAXIS_DISCORD_CLIENT_SECRET).',
        refused_title: 'Accès réservé à l’équipe', refused_body: 'Votre compte Discord n’a pas de rôle d’équipe sur ce serveur. Si c’est une erreur, demandez à un administrateur de vous ajouter.',
        back_to_login: 'Retour à la connexion',
        enrol_title: 'Activer la double authentification', enrol_intro: 'Scannez ce code avec une application d’authentification (Aegis, Google Authenticator, 1Password…), puis saisissez le code à 6 chiffres qu’elle affiche.',
        enrol_secret: 'Ou saisissez cette clé à la main :', qr_alt: 'QR code de la clé d’authentification',
        code_label: 'Code à 6 chiffres', confirm: 'Confirmer', verify: 'Vérifier',
        recovery_title: 'Codes de secours', recovery_intro: 'Conservez ces codes en lieu sûr : chacun permet une connexion si vous perdez votre téléphone. Ils ne seront plus affichés.',
        continue: 'Continuer', second_title: 'Double authentification', second_intro: 'Saisissez le code de votre application d’authentification, ou un code de secours.',
        code_or_recovery: 'Code ou code de secours',
        copy_codes: 'Copier les codes', download_codes: 'Télécharger (.txt)', codes_copied: 'Codes copiés dans le presse-papiers.',
        copy_failed: 'La copie a échoué : sélectionnez les codes à la main.', codes_file_title: 'Codes de secours du panneau Maxis',
        'e_panel.wrong_code': 'Code erroné. Vérifiez l’heure de votre téléphone et essayez le code suivant.', 'e_panel.code_replayed': 'Ce code a déjà servi : attendez le suivant.',
        'e_panel.unknown_recovery_code': 'Code de secours inconnu ou déjà utilisé.', 'e_panel.no_enrolment': 'Aucune activation en cours : rechargez la page pour recommencer.',
        'e_panel.already_enabled': 'La double authentification est déjà activée.', 'e_panel.no_second_factor': 'Aucune double authentification n’est configurée pour ce compte.',
        'e_panel.sign_in_first': 'Connectez-vous d’abord.', 'e_panel.no_second_factor_awaited': 'Aucun code n’est attendu : rechargez la page.',
        no_data_yet: 'Pas encore de données', legend: 'Légende',
        'e_tickets.unchanged': 'Le ticket est déjà dans cet état : rien n’a changé.', 'e_tickets.status_unchanged': 'Le ticket a déjà ce statut : rien n’a changé.',
        'e_tickets.priority_unchanged': 'Le ticket a déjà cette priorité : rien n’a changé.', 'e_tickets.already_closed': 'Le ticket est déjà fermé.',
        'e_tickets.assign_owner': 'C’est la demande de cette personne : elle ne peut pas s’en occuper elle-même. Choisissez un membre de l’équipe.',
        'e_tickets.assign_not_staff': 'Seul un membre de l’équipe peut prendre en charge un ticket : cette personne n’en fait pas partie.',
        'e_members.not_found': 'Personne ne porte ce nom. Vérifiez l’orthographe.', 'e_members.ambiguous': 'Plusieurs personnes portent ce nom : précisez.',
        'e_members.not_staff': 'Cette personne ne fait pas partie de l’équipe.',
        role_member: 'membre', role_staff: 'équipe', role_admin: 'administrateur', role_operator: 'opérateur',
        active_tickets: 'Tickets actifs', breaches_30: 'Dépassements de SLA (30 j)', members_known: 'Membres connus', members_guild: 'Membres du serveur',
        gateway: 'Connexion Discord', gateway_off: 'désactivée', gateway_connecting: 'en cours', gateway_ready: 'active', gateway_failed: 'refusée',
        gateway_failed_alert: 'Discord a refusé la connexion de Maxis ; le reste fonctionne. À corriger, puis rechargez Maxis (systemctl reload maxis) :',
        by_status: 'Tickets par statut', created_breaches: 'Tickets créés et dépassements de SLA par jour', response_times: 'Délai médian de première réponse (minutes)',
        member_flow: 'Arrivées et départs par jour', created: 'Créés', fr_breaches: 'SLA 1re réponse', res_breaches: 'SLA résolution',
        median_minutes: 'Médiane (min)', joins: 'Arrivées', leaves: 'Départs', unknown: 'inconnu', period: 'Période', days: 'jours',
        search: 'Rechercher', search_users: 'Nom ou identifiant', name: 'Nom', id: 'Identifiant Discord', username: 'Pseudo', locale: 'Langue', blocked: 'Bloqué',
        since: 'Depuis', yes: 'oui', no: 'non', block: 'Bloquer du bot', unblock: 'Débloquer', profile: 'Fiche membre', member_tickets: 'Ses tickets',
        no_results: 'Aucun résultat.', select_user: 'Choisissez un membre dans la liste.',
        status: 'Statut', priority: 'Priorité', category: 'Catégorie', assignee: 'Assigné à', subject: 'Sujet', updated: 'Mis à jour', owner: 'Membre',
        any: 'Tous', unassigned: 'Non assigné', mine: 'Moi', breached: 'SLA dépassé', text: 'Texte', filter: 'Filtrer',
        open: 'ouvert', waiting_staff: 'attend l’équipe', waiting_member: 'attend le membre', resolved: 'résolu', closed: 'fermé',
        critical: 'critique', high: 'haute', medium: 'moyenne', low: 'basse',
        general: 'général', billing: 'facturation', technical: 'technique', bug: 'bug', account: 'compte', suggestion: 'suggestion',
        select_ticket: 'Choisissez un ticket dans la liste.', history: 'Historique', conversation: 'Conversation', internal_note: 'Note interne',
        reply: 'Répondre', message: 'Message', as_note: 'Note interne (invisible pour le membre)', send: 'Envoyer',
        claim: 'Prendre en charge', assign_to_staff: 'Assigner à un membre de l’équipe', staff_found: 'Membres de l’équipe trouvés',
        unknown_member: 'membre inconnu', by_stripe: 'Stripe', by_maxis: 'Maxis',
        change: 'Appliquer', new_activity: 'Nouvelle activité sur ce ticket.', staff: 'équipe', member: 'membre',
        kind: 'Type', security: 'sécurité', audit: 'audit', actor: 'Auteur', action: 'Action', target: 'Cible', detail: 'Détail', ip: 'IP', at: 'Date',
        more: 'Plus', runtime_settings: 'Réglages modifiables à chaud', effective: 'Configuration effective (secrets masqués)',
        key: 'Clé', value: 'Valeur', save: 'Enregistrer', saved: 'Enregistré.', sessions: 'Sessions ouvertes', end: 'Terminer',
        current: 'la vôtre', last_seen: 'Dernière activité', role: 'Rôle', admins_only: 'Seuls les administrateurs peuvent modifier.',
        too_many: 'Trop de tentatives. Réessayez dans {s} s.', error: 'Erreur', loading: 'Chargement…', ticket: 'Ticket',
        signed_in_as: 'Connecté en tant que', chart_summary: '{n} jours de données',
        orders: 'Commandes', revenue_30: 'Chiffre d’affaires net (30 j)', orders_30: 'Commandes payées (30 j)', revenue_chart: 'Encaissements et remboursements par jour',
        gross: 'Encaissé', refunds: 'Remboursé', number: 'Numéro', total: 'Total', refunded: 'Remboursé', items: 'Articles', quantity: 'Quantité', unit_price: 'Prix unitaire',
        timeline: 'Historique', tracking: 'Suivi', carrier: 'Transporteur', tracking_code: 'Code de suivi', tracking_url: 'Lien de suivi (https://…)',
        save_tracking: 'Enregistrer le suivi (passe la commande en expédiée)', note: 'Note pour le membre', refund: 'Rembourser', refund_amount: 'Montant (vide : tout le reste)',
        refund_sent: 'Remboursement demandé à Stripe ({id}) ; la commande change quand Stripe le confirme.', refund_coins: 'Rembourser en entier (rendre les pièces)', refund_coins_done: 'Commande remboursée, pièces rendues au membre : {coins}.', invoice: 'Facture', disputed: 'Contesté',
        select_order: 'Choisissez une commande dans la liste.', member_id: 'Identifiant du membre', member_orders: 'Ses commandes', order: 'Commande',
        o_pending: 'en attente de paiement', o_paid: 'payée', o_fulfilled: 'prête', o_shipped: 'expédiée', o_delivered: 'livrée', o_cancelled: 'annulée', o_refunded: 'remboursée',
        bad_amount: 'Montant invalide : par exemple 5,00.',
        // Products, promotions, plans, settings forms and the setup checklist.
        products: 'Produits', promotions: 'Promotions', plans: 'Offres', docs: 'Documentation',
        p_new: 'Nouveau produit', p_edit: 'Modifier « {name} »', p_name: 'Nom', p_description: 'Description', p_price: 'Prix (€, par ex. 9,99)',
        p_free: 'Produit gratuit : je confirme le prix de 0 €', p_stock: 'Stock (vide : illimité)', p_category: 'Catégorie', p_image: 'Image (lien https://…)',
        p_active: 'En vente', p_create: 'Ajouter le produit', p_save: 'Enregistrer les modifications', p_cancel: 'Annuler', p_preview: 'Aperçu de l’image',
        p_unlimited: 'illimité', p_on_sale: 'en vente', p_inactive: 'désactivé', p_deactivate: 'Désactiver', p_reactivate: 'Remettre en vente', p_edit_button: 'Modifier',
        p_created: 'Produit « {name} » ajouté.', p_saved: 'Produit « {name} » enregistré.', p_deactivated: 'Produit « {name} » désactivé : il n’est plus en vente.', p_reactivated: 'Produit « {name} » remis en vente.',
        p_image_col: 'Image', p_price_col: 'Prix', p_stock_col: 'Stock', p_state: 'État', p_none: 'Aucun produit pour l’instant.', p_free_price: 'gratuit',
        bad_name: 'Donnez un nom au produit (100 caractères au plus).', bad_price: 'Prix invalide : un montant en euros comme 9,99.',
        'e_shop.free_unconfirmed': 'Un prix de 0 € rend le produit gratuit : cochez « Produit gratuit » pour le confirmer, ou donnez un prix.',
        p_coins: 'Prix en pièces (vide : pas en vente contre des pièces ; sans prix en euros : seulement contre des pièces)', p_coins_col: 'Pièces', p_coins_only: 'pièces seulement',
        bad_coins: 'Prix en pièces invalide : un nombre entier de 1 à 10 000 000, ou vide.', 'e_shop.bad_coin_price': 'Prix en pièces invalide : un nombre entier de 1 à 10 000 000, ou vide.',
        bad_stock: 'Stock invalide : un nombre entier de 0 à 1 000 000, ou vide pour illimité.', bad_image: 'L’image doit être un lien commençant par https://.',
        bad_category: 'Donnez une catégorie (40 caractères au plus).',
        pr_new: 'Nouvelle promotion', pr_plan: 'Offre', pr_percent: 'Réduction (%)', pr_duration: 'Durée', pr_unit_hours: 'heures', pr_unit_days: 'jours', pr_create: 'Créer et annoncer',
        pr_code: 'Code', pr_until: 'Jusqu’au', pr_uses: 'Utilisations', pr_state: 'État', pr_active: 'en cours', pr_over: 'terminée', pr_expire: 'Terminer maintenant',
        pr_created: 'Promotion {code} créée et annoncée.', pr_expired: 'Promotion {code} terminée : le code ne fonctionne plus.', pr_none: 'Aucune promotion pour l’instant.',
        pr_uses_note: 'Utilisations comptées par Maxis : chaque abonnement ou achat que Stripe a confirmé avec le code.',
        bad_percent: 'La réduction est un nombre entier de 1 à 100.', bad_duration: 'La durée est un nombre entier supérieur à 0.',
        pl_grant: 'Offrir une offre à un membre', pl_member: 'Membre (nom ou identifiant)', pl_duration: 'Durée', pl_reason: 'Raison (gardée avec l’accès)', pl_give: 'Offrir',
        pl_gw_winner: 'gagnant du concours n° {id}', pl_gw_replaced: 'retirée : remplacé comme gagnant', pl_holders: 'Abonnés de {plan}', pl_state: 'Situation', pl_until: 'Jusqu’au', pl_note: 'Raison', pl_by: 'par', pl_revoke: 'Retirer', pl_revoke_reason: 'Raison du retrait',
        pl_granted: '{plan} offerte à {member} jusqu’au {d}.', pl_revoked: 'Accès {plan} de {member} retiré.', pl_none: 'Personne pour l’instant.',
        hs_active: 'abonné', hs_cancelling: 'résilié, jusqu’à la fin de la période', hs_past_due: 'paiement en attente', hs_granted: 'offerte', hs_for_life: 'à vie',
        bad_member: 'Personne ne porte ce nom : donnez le nom d’un membre, tel qu’il apparaît dans Membres, ou son identifiant.', ambiguous_member: 'Plusieurs membres portent ce nom : {names}. Précisez.', bad_grant_duration: 'Un accès offert dure de 1 heure à 366 jours.', bad_reason: 'Indiquez une raison.',
        s_section_panel: 'Panneau d’administration', s_section_tickets: 'Tickets', s_section_secrets: 'Secrets (jamais affichés)', s_read_only: 'Réglages du fichier de configuration (lecture seule)',
        s_read_only_help: 'Ils se changent dans le fichier de configuration, puis en rechargeant Maxis. Voir la documentation :', s_docs_link: 'Guide d’exploitation',
        s_unlimited: 'illimité', s_unit_count: '', s_unit_per_hour: 'par heure', s_unit_euros: '€', s_unit_minutes: 'minutes', s_on: 'activé', s_off: 'désactivé',
        s_default: 'valeur du fichier', s_changed: 'modifié depuis le panneau', s_saved: '« {label} » enregistré.', bad_setting: '« {label} » doit être un nombre entier de {min} à {max}.',
        bad_setting_euros: '« {label} » doit être un montant en euros de {min} à {max}.',
        setup: 'Mise en route', setup_done: 'Tout est configuré.', setup_missing: 'À faire', setup_ok: 'fait', setup_how: 'Comment faire',
        setup_discord: 'Discord connecté', setup_stripe_keys: 'Clé Stripe enregistrée', setup_stripe_webhook: 'Secret du webhook Stripe enregistré',
        setup_llm: 'Assistant IA configuré (modèle et adresse)', setup_two_factor: 'Votre double authentification activée',
        'e_plans.payments_off': 'Les paiements ne sont pas configurés (clé Stripe manquante) : rien n’a été créé.',
        'e_shop.payments_off': 'Les paiements ne sont pas configurés (clé Stripe manquante) : rien n’a été remboursé.',
        'e_plans.promo_expire_failed': 'Stripe n’a pas pu désactiver le code : la promotion continue. Réessayez dans un moment.',
        'e_plans.promo_expired': 'Cette promotion est déjà terminée.', 'e_plans.promo_bad_duration': 'Une promotion dure de 10 minutes à 90 jours : rien n’a été créé.', 'e_plans.grant_over': 'Cet accès est déjà terminé.', 'e_plans.grant_not_temporary': 'Seul un accès offert se retire ici ; une offre payée se termine avec son paiement.',
        mrr: 'Revenu mensuel récurrent', subscribers: 'Abonnés payants', by_plan: 'Abonnés par offre', plan: 'Offre', plan_members: 'Membres',
        past_due: 'Paiement en attente', cancelling: 'Résiliés (fin de période)', granted: 'Offerts', assistant_chart: 'Assistant IA : utilisation par jour', subscribers_chart: 'Abonnés par offre, chaque jour',
        ai_messages: 'Messages', ai_images: 'Images', ai_members: 'Membres actifs', member_plan: 'Offre et assistant', usage_today: 'Assistant aujourd’hui',
        messages_of: '{n} / {max} messages', images_of: '{n} / {max} images', messages_unlimited: '{n} messages (illimité)', images_unlimited: '{n} images (illimité)', plan_free: 'aucune offre payante',
        g_renews: 'renouvellement le {d}', g_ends: 'résiliée, se termine le {d}', g_past_due: 'paiement en attente, coupée le {d} sans paiement',
        g_for_life: 'à vie', g_until: 'offerte jusqu’au {d}', grants: 'Historique des offres', source: 'Origine', until: 'Jusqu’au', why: 'Pourquoi', end_term: 'arrivée à son terme', end_unpaid: 'renouvellement impayé', end_revoked: 'retirée', end_refunded: 'remboursée', end_disputed: 'contestée', coins: 'Pièces', coin_balance: 'Solde', coin_amount: 'Mouvement', coins_none: 'Aucun mouvement pour l’instant.', coins_n: '{n} pièces', coin_1: '1 pièce', cr_activity: 'activité dans le salon', cr_daily: 'bonus du jour', cr_giveaway: 'participation à un concours', cr_invite: 'invitation validée', cr_staff_give: 'don de l’équipe', cr_staff_take: 'retrait par l’équipe', cr_purchase: 'achat', cr_refund: 'remboursement',
        k_subscription: 'abonnement', k_one_time: 'achat unique', k_temporary: 'offerte',
        gs_active: 'active', gs_past_due: 'paiement en attente', gs_ended: 'terminée', gs_revoked: 'retirée', gs_cancelling: 'résiliée, se termine à la fin de la période',
        // Marketing: applications, holders by role, the invite leaderboard, marketers' monthly statements, payouts, rewards.
        marketing: 'Marketing', mk_role_ambassador: 'Ambassadeur', mk_role_influencer: 'Influenceur', mk_role_creator: 'Créateur', mk_role_helper: 'Helper',
        mk_role_event_host: 'Event Host', mk_role_beta_tester: 'Beta Tester', mk_role_partner: 'Partenaire',
        mk_applications: 'Candidatures', mk_apps_none: 'Aucune candidature dans cette liste.', mk_app_status: 'Candidatures à afficher',
        mk_as_pending: 'en attente', mk_as_approved: 'acceptée', mk_as_rejected: 'refusée', mk_form: 'Ce qu’il ou elle a écrit', mk_applied: 'Reçue le',
        mk_followers: '{n} abonnés déclarés', mk_links: 'Liens', mk_portfolio: 'Portfolio', mk_message: 'Présentation', mk_decision: 'Décision',
        mk_approve: 'Accepter', mk_reject: 'Refuser', mk_reject_reason: 'Raison du refus', mk_approved: '{member} est désormais {role}.',
        mk_rejected: 'Candidature de {member} ({role}) refusée.', mk_decided: '{status} le {d}', mk_because: 'raison : {reason}',
        mk_holders: 'Titulaires par rôle', mk_holders_none: 'Personne ne tient encore de rôle marketing.', mk_granted: 'Depuis', mk_granted_by: 'Accordé par',
        mk_revoke: 'Retirer le rôle', mk_revoke_reason: 'Raison du retrait', mk_revoked: 'Rôle {role} retiré à {member}.',
        mk_leaders: 'Classement des invitations', mk_window: 'Période', mk_w_7d: '7 jours', mk_w_30d: '30 jours', mk_w_all: 'Depuis toujours',
        mk_invites_total: 'Invitations', mk_invites_validated: 'Validées', mk_leaders_none: 'Aucune invitation comptée sur cette période.',
        mk_marketers: 'Marketeurs et relevés', mk_month: 'Mois', mk_csv: 'Télécharger le CSV du mois', mk_marketers_none: 'Aucun marketeur ce mois-ci.',
        mk_opening: 'Report du mois précédent', mk_earned: 'Gagné', mk_reversed: 'Annulé ou repris', mk_paid: 'Versé', mk_pending: 'En attente',
        mk_closing: 'Dû en fin de mois', mk_due_now: 'Dû aujourd’hui', mk_show: 'Voir le relevé', mk_select: 'Choisissez un marketeur dans la liste.',
        mk_statement: 'Relevé de {member} : {month}', mk_statement_label: 'Relevé du marketeur', mk_lines: 'Lignes du mois', mk_lines_none: 'Aucune ligne ce mois-ci.', mk_kind: 'Type',
        mk_amount: 'Montant', mk_sale: 'Vente', mk_buyer: 'Acheteur', mk_note: 'Note', mk_created: 'Date', mk_due_at: 'Due le',
        mk_payouts: 'Versements du mois', mk_payouts_none: 'Aucun versement ce mois-ci.', mk_reference: 'Référence', mk_by: 'Saisi par',
        mk_k_sale: 'commission sur vente', mk_k_monthly: 'rémunération mensuelle', mk_k_piece: 'pièce', mk_k_event: 'événement', mk_k_clawback: 'reprise',
        mk_s_pending: 'en attente', mk_s_due: 'due', mk_s_paid: 'versée', mk_s_reversed: 'annulée',
        mk_src_order: 'commande', mk_src_preorder: 'pré-commande', mk_src_plan: 'offre',
        mk_n_refund: 'remboursement', mk_n_partial_refund: 'remboursement partiel', mk_n_dispute: 'contestation', mk_n_invite_cancelled: 'invitation annulée (départ avant validation)',
        mk_sale_of: '{percent} % de {sale}', mk_refunded_of: '{refunded} remboursés',
        mk_payout: 'Enregistrer un versement', mk_payout_hint: 'L’argent est versé hors de Maxis (virement…) : saisissez ici son montant et sa référence.',
        mk_payout_amount: 'Montant versé (€, par ex. 50,00)', mk_payout_reference: 'Référence du versement', mk_payout_save: 'Enregistrer le versement',
        mk_payout_done: 'Versement de {amount} à {member} enregistré ({reference}).', mk_bad_reference: 'Indiquez la référence du versement.',
        mk_reward: 'Saisir une rémunération', mk_reward_role: 'Rôle', mk_reward_amount: 'Montant (€, par ex. 120,00)', mk_reward_note: 'Note (le mois, la pièce, l’événement…)',
        mk_reward_save: 'Enregistrer la rémunération', mk_reward_done: '{amount} pour {member} ({role}) enregistré : dû dès maintenant.',
        mk_bounds: '{reward} : entre {min} et {max}.', mk_r_monthly: 'Rémunération mensuelle', mk_r_per_piece: 'Montant par pièce', mk_r_per_event: 'Budget par événement',
        mk_no_reward_role: 'Ce marketeur ne tient aucun rôle rémunéré par l’équipe.', mk_bad_note: 'Indiquez une note pour cette rémunération.',
    }),
    en: Object.freeze({
        giveaways: 'Giveaways', gw_list: 'Giveaways', gw_prize: 'Prize', gw_entrants: 'Entrants', gw_winners: 'Winners', gw_ends: 'Ends',
        gw_running: 'running', gw_ended: 'ended', gw_cancelled: 'cancelled', gw_none: 'No giveaway yet.', gw_select: 'Choose a giveaway in the list.',
        gw_nobody: 'nobody', gw_open: 'Open', gw_title: 'Giveaway no. {id}: {prize}', gw_starts: 'Starts', gw_proof: 'Proof of the draw (JSON)', gw_proof_later: 'published once drawn',
        gw_no_proof: 'no draw', gw_hash: 'Draw commitment', gw_roi: 'Return on investment', gw_window: 'Period counted',
        gw_window_text: 'from {from} to {to} (the end plus 30 days)', gw_so_far: 'The period is still open: figures as of {d}.', gw_cost: 'Prize cost', gw_no_cost: 'not entered',
        gw_gained: 'Members gained', gw_gained_detail: '{n} ({joined} joined, {left} of them left again)', gw_revenue: 'Revenue from these members',
        gw_revenue_detail: '{total} (shop {shop}, plans {plans})', gw_paying: 'Paying members', gw_net: 'Result', gw_roi_pct: 'ROI', gw_per_member: 'Cost per member gained',
        gw_chart: 'Joins, leaves and revenue per day', gw_revenue_day: 'Revenue', gw_end_now: 'End now', gw_cancel: 'Cancel the giveaway', gw_reroll: 'Draw again',
        gw_sure: '{action}: confirm?', gw_yes: 'Yes, confirm', gw_keep: 'No, leave it', gw_done_end: 'Giveaway no. {id} ended.', gw_done_cancel: 'Giveaway no. {id} cancelled.',
        gw_done_reroll: 'Giveaway no. {id} drawn again.', gw_cost_label: 'Prize cost (e.g. 25.00)', gw_set_cost: 'Save the cost', gw_cost_saved: 'Cost saved: {cost}.',
        gw_leaders: 'Coin leaderboard', gw_week: 'This week', gw_month: 'This month', gw_all: 'All time', gw_rank: 'Rank', gw_earned: 'Coins earned',
        gw_no_leaders: 'Nobody has earned coins in this period yet.', gw_period: 'Period',
        'e_giveaways.bad_cost': 'A prize cost is between €0 and €1,000,000,000.00.', 'e_giveaways.not_running': 'This giveaway is over: it can no longer be changed this way.',
        'e_giveaways.not_ended': 'This giveaway has not ended yet: the draw comes at the end.', 'e_giveaways.no_one_left': 'Every entrant has already won: nobody else to draw.',
        'e_giveaways.no_winner_to_replace': 'Nobody was drawn: no winner to replace.',
        // Pre-orders: items, their tiers, sales over time, buyers.
        preorders: 'Pre-orders', po_none: 'No pre-order yet.', po_select: 'Choose a pre-order in the list.',
        po_item: 'Item', po_release: 'Release', po_countdown: 'Countdown', po_tiers: 'Tiers', po_price: 'Full price',
        po_draft: 'draft', po_open: 'on sale', po_closed: 'sales closed', po_released: 'released', po_cancelled: 'cancelled', po_past: 'date passed',
        po_new: 'New pre-order', po_edit_title: 'Edit “{name}”', po_name: 'Name', po_price_label: 'Full price (€, e.g. 59.99)',
        po_release_label: 'Release date and time (the community’s time: {zone})', po_description: 'Description', po_image: 'Image (https://… link)',
        po_delivery: 'Delivery instructions (sent to buyers on the release day)', po_limit: 'Seats per member',
        po_tier_n: 'Tier {n}', po_tier: 'Tier', po_tier_name: 'Name', po_discount: 'Discount (%)', po_seats: 'Seats (empty: no limit)',
        po_create: 'Create the pre-order', po_save: 'Save the changes', po_cancel_edit: 'Drop the changes',
        po_locked: 'Seats are already sold: only seat counts can go up.',
        po_created: 'Pre-order “{name}” created as a draft: open sales when you are ready.', po_saved: 'Pre-order “{name}” saved.',
        po_unchanged: 'Nothing changed.', po_moved: 'The release date changed: buyers are told and may cancel (refunded).',
        po_open_action: 'Open sales', po_close_action: 'Close sales', po_cancel_action: 'Cancel the pre-order', po_edit: 'Edit',
        po_cancel_sure: 'Cancel “{name}”: every buyer will be refunded, and this cannot be undone. Confirm?',
        po_opened: '“{name}” is on sale.', po_closed_done: 'Sales of “{name}” closed.', po_cancelled_done: '“{name}” cancelled: every buyer is refunded.',
        po_sold: 'Sold', po_held: 'Being paid for', po_open_seats: 'Available', po_unlimited: 'no limit', po_tier_price: 'Price',
        po_chart: 'Seats sold per tier (running total per day)', po_revenue: 'Revenue', po_refunded: 'Refunded', po_buyers_n: 'Buyers',
        po_buyers: 'Buyers', po_paid_at: 'Paid on', po_no_buyers: 'No buyer yet.', po_csv: 'Export CSV',
        po_per_member: 'Limit per member', po_delivery_short: 'Delivery', po_moves: 'Release date moved', po_late: 'late payment',
        ps_held: 'being paid', ps_paid: 'paid', ps_fulfilled: 'delivered', ps_released: 'abandoned', ps_refunding: 'being refunded', ps_refunded: 'refunded',
        po_bad_name: 'Give a name (100 characters at most).', po_bad_price: 'Invalid price: an amount in euros such as 59.99.',
        po_bad_release: 'Give a release date and time still to come.', po_bad_limit: 'Seats per member: a whole number from 1 to 1,000.',
        po_bad_tier: 'Tier {n}: a name (40 characters at most), a discount from 0 to 99 % and 1 to 100,000 seats (empty: no limit, for the last one only).',
        'e_preorders.unknown': 'This pre-order does not exist.', 'e_preorders.not_open': 'This pre-order is not on sale.',
        'e_preorders.sold_out': 'No seat left.', 'e_preorders.limit': 'The limit of seats per member is reached for this item.',
        'e_preorders.payments_off': 'Payments are not set up (no Stripe key): nothing was done.',
        'e_preorders.checkout_failed': 'Stripe could not create the payment: try again in a moment.',
        'e_preorders.release_past': 'The release date has passed: give a date still to come. Nothing changed.',
        'e_preorders.price': 'Stripe refuses this price for at least one tier (after its discount): nothing changed.',
        'e_preorders.tiers_locked': 'Seats are sold: only seat counts can go up. Nothing changed.',
        'e_preorders.seats_down': 'After a sale, a seat count cannot go down. Nothing changed.',
        'e_preorders.bad_move': 'Not possible in the pre-order’s current state: nothing changed.',
        'e_preorders.name': 'Give a name (100 characters at most): nothing changed.', 'e_preorders.tier_count': 'From 1 to 8 tiers: nothing changed.',
        'e_preorders.tier_name': 'Each tier has a name of 40 characters at most: nothing changed.',
        'e_preorders.tier_discount': 'A discount is from 0 to 99 %: nothing changed.',
        'e_preorders.tier_order': 'Each tier has a smaller discount than the one before: nothing changed.',
        'e_preorders.tier_seats': 'A tier has 1 to 100,000 seats: nothing changed.',
        'e_preorders.tier_unlimited': 'Only the last tier may have no limit: nothing changed.',
        'e_preorders.image': 'The image must be a link starting with https://: nothing changed.',
        'e_preorders.member_limit': 'Seats per member go from 1 to 1,000: nothing changed.',
        'e_preorders.too_long': 'A text is too long (description: 1,000 characters, delivery: 2,000): nothing changed.',
        'e_preorders.currency': 'Payments do not take this currency: nothing changed.',
        dashboard: 'Dashboard', users: 'Members', tickets: 'Tickets', logs: 'Logs', settings: 'Settings',
        logout: 'Log out', nav: 'Main navigation', language: 'Français', language_label: 'Passer en français',
        login_title: 'Sign in to the Maxis panel', login_with_discord: 'Sign in with Discord',
        login_hint: 'Staff only. First install without Discord: run "maxis admin login-link --as YOUR_NAME" and open the link it prints.',
        error_expired: 'The sign-in expired or was already used. Start again.', error_link: 'This login link is unknown, used or expired.',
        error_discord: 'Discord could not confirm the sign-in. Try again.', error_cancelled: 'Sign-in cancelled.',
        error_oauth_unconfigured: 'Discord sign-in is not configured (panel.oauth_client_id and MAXIS_DISCORD_CLIENT_SECRET).',
        refused_title: 'Staff only', refused_body: 'Your Discord account has no staff role on this server. If this is a mistake, ask an admin to add you.',
        back_to_login: 'Back to sign-in',
        enrol_title: 'Turn on two-factor authentication', enrol_intro: 'Scan this code with an authenticator app (Aegis, Google Authenticator, 1Password…), then type the 6-digit code it shows.',
        enrol_secret: 'Or type this key by hand:', qr_alt: 'QR code of the authenticator key',
        code_label: '6-digit code', confirm: 'Confirm', verify: 'Verify',
        recovery_title: 'Recovery codes', recovery_intro: 'Keep these codes somewhere safe: each one signs you in once if you lose your phone. They will not be shown again.',
        continue: 'Continue', second_title: 'Two-factor authentication', second_intro: 'Type the code from your authenticator app, or a recovery code.',
        code_or_recovery: 'Code or recovery code',
        copy_codes: 'Copy the codes', download_codes: 'Download (.txt)', codes_copied: 'Codes copied to the clipboard.',
        copy_failed: 'Copying failed: select the codes by hand.', codes_file_title: 'Maxis panel recovery codes',
        'e_panel.wrong_code': 'Wrong code. Check the time on your phone and try the next code.', 'e_panel.code_replayed': 'This code was already used: wait for the next one.',
        'e_panel.unknown_recovery_code': 'Unknown or already used recovery code.', 'e_panel.no_enrolment': 'No enrolment in progress: reload the page to start again.',
        'e_panel.already_enabled': 'Two-factor authentication is already on.', 'e_panel.no_second_factor': 'No second factor is set up for this account.',
        'e_panel.sign_in_first': 'Sign in first.', 'e_panel.no_second_factor_awaited': 'No code is awaited: reload the page.',
        no_data_yet: 'No data yet', legend: 'Legend',
        'e_tickets.unchanged': 'The ticket is already like that: nothing changed.', 'e_tickets.status_unchanged': 'The ticket already has this status: nothing changed.',
        'e_tickets.priority_unchanged': 'The ticket already has this priority: nothing changed.', 'e_tickets.already_closed': 'The ticket is already closed.',
        'e_tickets.assign_owner': 'This is the person’s own request: they cannot handle it themselves. Choose a staff member.',
        'e_tickets.assign_not_staff': 'Only a staff member can handle a ticket: this person is not staff.',
        'e_members.not_found': 'Nobody has this name. Check the spelling.', 'e_members.ambiguous': 'Several people have this name: be more precise.',
        'e_members.not_staff': 'This person is not staff.',
        role_member: 'member', role_staff: 'staff', role_admin: 'admin', role_operator: 'operator',
        active_tickets: 'Active tickets', breaches_30: 'SLA breaches (30 d)', members_known: 'Known members', members_guild: 'Server members',
        gateway: 'Discord connection', gateway_off: 'off', gateway_connecting: 'connecting', gateway_ready: 'up', gateway_failed: 'refused',
        gateway_failed_alert: 'Discord refused Maxis’s connection; everything else works. Fix this, then reload Maxis (systemctl reload maxis):',
        by_status: 'Tickets by status', created_breaches: 'Tickets created and SLA breaches per day', response_times: 'Median first response time (minutes)',
        member_flow: 'Joins and leaves per day', created: 'Created', fr_breaches: 'First-response SLA', res_breaches: 'Resolution SLA',
        median_minutes: 'Median (min)', joins: 'Joins', leaves: 'Leaves', unknown: 'unknown', period: 'Period', days: 'days',
        search: 'Search', search_users: 'Name or id', name: 'Name', id: 'Discord id', username: 'Username', locale: 'Language', blocked: 'Blocked',
        since: 'Since', yes: 'yes', no: 'no', block: 'Block from the bot', unblock: 'Unblock', profile: 'Member card', member_tickets: 'Their tickets',
        no_results: 'No results.', select_user: 'Pick a member from the list.',
        status: 'Status', priority: 'Priority', category: 'Category', assignee: 'Assignee', subject: 'Subject', updated: 'Updated', owner: 'Member',
        any: 'Any', unassigned: 'Unassigned', mine: 'Me', breached: 'SLA breached', text: 'Text', filter: 'Filter',
        open: 'open', waiting_staff: 'waiting for staff', waiting_member: 'waiting for member', resolved: 'resolved', closed: 'closed',
        critical: 'critical', high: 'high', medium: 'medium', low: 'low',
        general: 'general', billing: 'billing', technical: 'technical', bug: 'bug', account: 'account', suggestion: 'suggestion',
        select_ticket: 'Pick a ticket from the list.', history: 'History', conversation: 'Conversation', internal_note: 'Internal note',
        reply: 'Reply', message: 'Message', as_note: 'Internal note (the member never sees it)', send: 'Send',
        claim: 'Claim', assign_to_staff: 'Assign to a staff member', staff_found: 'Staff members found',
        unknown_member: 'unknown member', by_stripe: 'Stripe', by_maxis: 'Maxis',
        change: 'Apply', new_activity: 'New activity on this ticket.', staff: 'staff', member: 'member',
        kind: 'Kind', security: 'security', audit: 'audit', actor: 'Actor', action: 'Action', target: 'Target', detail: 'Detail', ip: 'IP', at: 'Date',
        more: 'More', runtime_settings: 'Settings you can change while Maxis runs', effective: 'Effective configuration (secrets masked)',
        key: 'Key', value: 'Value', save: 'Save', saved: 'Saved.', sessions: 'Open sessions', end: 'End',
        current: 'yours', last_seen: 'Last seen', role: 'Role', admins_only: 'Only admins can change these.',
        too_many: 'Too many attempts. Try again in {s} s.', error: 'Error', loading: 'Loading…', ticket: 'Ticket',
        signed_in_as: 'Signed in as', chart_summary: '{n} days of data',
        orders: 'Orders', revenue_30: 'Net revenue (30 d)', orders_30: 'Paid orders (30 d)', revenue_chart: 'Money in and refunds per day',
        gross: 'Collected', refunds: 'Refunded', number: 'Number', total: 'Total', refunded: 'Refunded', items: 'Items', quantity: 'Quantity', unit_price: 'Unit price',
        timeline: 'Timeline', tracking: 'Tracking', carrier: 'Carrier', tracking_code: 'Tracking code', tracking_url: 'Tracking link (https://…)',
        save_tracking: 'Save tracking (marks the order shipped)', note: 'Note for the member', refund: 'Refund', refund_amount: 'Amount (empty: all that is left)',
        refund_sent: 'Refund asked of Stripe ({id}); the order changes when Stripe confirms it.', refund_coins: 'Refund whole (give the coins back)', refund_coins_done: 'Order refunded, coins given back to the member: {coins}.', invoice: 'Invoice', disputed: 'Disputed',
        select_order: 'Pick an order from the list.', member_id: 'Member id', member_orders: 'Their orders', order: 'Order',
        o_pending: 'awaiting payment', o_paid: 'paid', o_fulfilled: 'ready', o_shipped: 'shipped', o_delivered: 'delivered', o_cancelled: 'cancelled', o_refunded: 'refunded',
        bad_amount: 'Invalid amount: for example 5.00.',
        // Products, promotions, plans, settings forms and the setup checklist.
        products: 'Products', promotions: 'Promotions', plans: 'Plans', docs: 'Documentation',
        p_new: 'New product', p_edit: 'Edit "{name}"', p_name: 'Name', p_description: 'Description', p_price: 'Price (€, e.g. 9.99)',
        p_free: 'Free product: I confirm the price of €0', p_stock: 'Stock (empty: unlimited)', p_category: 'Category', p_image: 'Image (https://… link)',
        p_active: 'On sale', p_create: 'Add the product', p_save: 'Save the changes', p_cancel: 'Cancel', p_preview: 'Image preview',
        p_unlimited: 'unlimited', p_on_sale: 'on sale', p_inactive: 'deactivated', p_deactivate: 'Deactivate', p_reactivate: 'Put back on sale', p_edit_button: 'Edit',
        p_created: 'Product "{name}" added.', p_saved: 'Product "{name}" saved.', p_deactivated: 'Product "{name}" deactivated: it is no longer on sale.', p_reactivated: 'Product "{name}" is on sale again.',
        p_image_col: 'Image', p_price_col: 'Price', p_stock_col: 'Stock', p_state: 'State', p_none: 'No products yet.', p_free_price: 'free',
        bad_name: 'Give the product a name (100 characters at most).', bad_price: 'Invalid price: an amount in euros such as 9.99.',
        'e_shop.free_unconfirmed': 'A price of €0 makes the product free: tick "Free product" to confirm it, or give a price.',
        p_coins: 'Price in coins (empty: not sold for coins; with no euro price: sold for coins only)', p_coins_col: 'Coins', p_coins_only: 'coins only',
        bad_coins: 'Invalid coin price: a whole number from 1 to 10,000,000, or empty.', 'e_shop.bad_coin_price': 'Invalid coin price: a whole number from 1 to 10,000,000, or empty.',
        bad_stock: 'Invalid stock: a whole number from 0 to 1,000,000, or empty for unlimited.', bad_image: 'The image must be a link starting with https://.',
        bad_category: 'Give a category (40 characters at most).',
        pr_new: 'New promotion', pr_plan: 'Plan', pr_percent: 'Discount (%)', pr_duration: 'Duration', pr_unit_hours: 'hours', pr_unit_days: 'days', pr_create: 'Create and announce',
        pr_code: 'Code', pr_until: 'Until', pr_uses: 'Uses', pr_state: 'State', pr_active: 'running', pr_over: 'over', pr_expire: 'End now',
        pr_created: 'Promotion {code} created and announced.', pr_expired: 'Promotion {code} ended: the code no longer works.', pr_none: 'No promotions yet.',
        pr_uses_note: 'Uses counted by Maxis: each subscription or purchase Stripe confirmed with the code.',
        bad_percent: 'The discount is a whole number from 1 to 100.', bad_duration: 'The duration is a whole number above 0.',
        pl_grant: 'Grant a plan to a member', pl_member: 'Member (name or id)', pl_duration: 'Duration', pl_reason: 'Reason (kept with the grant)', pl_give: 'Grant',
        pl_gw_winner: 'giveaway #{id} winner', pl_gw_replaced: 'revoked: replaced as winner', pl_holders: '{plan} subscribers', pl_state: 'Standing', pl_until: 'Until', pl_note: 'Reason', pl_by: 'by', pl_revoke: 'Revoke', pl_revoke_reason: 'Reason for revoking',
        pl_granted: '{plan} granted to {member} until {d}.', pl_revoked: '{member}’s {plan} grant revoked.', pl_none: 'Nobody yet.',
        hs_active: 'subscribed', hs_cancelling: 'cancelled, until the end of the period', hs_past_due: 'payment pending', hs_granted: 'granted', hs_for_life: 'for life',
        bad_member: 'Nobody has this name: give a member’s name, as shown in Members, or their id.', ambiguous_member: 'Several members have this name: {names}. Be more precise.', bad_grant_duration: 'A grant lasts from 1 hour to 366 days.', bad_reason: 'Give a reason.',
        s_section_panel: 'Admin panel', s_section_tickets: 'Tickets', s_section_secrets: 'Secrets (never shown)', s_read_only: 'Settings from the configuration file (read-only)',
        s_read_only_help: 'Change them in the configuration file, then reload Maxis. See the documentation:', s_docs_link: 'Operations guide',
        s_unlimited: 'unlimited', s_unit_count: '', s_unit_per_hour: 'per hour', s_unit_euros: '€', s_unit_minutes: 'minutes', s_on: 'on', s_off: 'off',
        s_default: 'value from the file', s_changed: 'changed from the panel', s_saved: '"{label}" saved.', bad_setting: '"{label}" must be a whole number from {min} to {max}.',
        bad_setting_euros: '"{label}" must be an amount in euros from {min} to {max}.',
        setup: 'Getting started', setup_done: 'Everything is set up.', setup_missing: 'To do', setup_ok: 'done', setup_how: 'How to',
        setup_discord: 'Discord connected', setup_stripe_keys: 'Stripe key set', setup_stripe_webhook: 'Stripe webhook secret set',
        setup_llm: 'AI assistant configured (model and address)', setup_two_factor: 'Your two-factor authentication on',
        'e_plans.payments_off': 'Payments are not configured (no Stripe key): nothing was created.',
        'e_shop.payments_off': 'Payments are not configured (no Stripe key): nothing was refunded.',
        'e_plans.promo_expire_failed': 'Stripe could not deactivate the code: the promotion goes on. Try again in a moment.',
        'e_plans.promo_expired': 'This promotion is already over.', 'e_plans.promo_bad_duration': 'A promotion lasts from 10 minutes to 90 days: nothing was created.', 'e_plans.grant_over': 'This grant is already over.', 'e_plans.grant_not_temporary': 'Only a granted plan can be revoked here; a paid plan ends with its payment.',
        mrr: 'Monthly recurring revenue', subscribers: 'Paying subscribers', by_plan: 'Subscribers by plan', plan: 'Plan', plan_members: 'Members',
        past_due: 'Payment pending', cancelling: 'Cancelled (end of period)', granted: 'Granted', assistant_chart: 'AI assistant: use per day', subscribers_chart: 'Subscribers by plan, each day',
        ai_messages: 'Messages', ai_images: 'Images', ai_members: 'Active members', member_plan: 'Plan and assistant', usage_today: 'Assistant today',
        messages_of: '{n} / {max} messages', images_of: '{n} / {max} images', messages_unlimited: '{n} messages (unlimited)', images_unlimited: '{n} images (unlimited)', plan_free: 'no paid plan',
        g_renews: 'renews on {d}', g_ends: 'cancelled, ends on {d}', g_past_due: 'payment pending, ends on {d} without a payment',
        g_for_life: 'for life', g_until: 'granted until {d}', grants: 'Plan history', source: 'Source', until: 'Until', why: 'Why', end_term: 'reached its term', end_unpaid: 'renewal unpaid', end_revoked: 'revoked', end_refunded: 'refunded', end_disputed: 'disputed', coins: 'Coins', coin_balance: 'Balance', coin_amount: 'Movement', coins_none: 'No movement yet.', coins_n: '{n} coins', coin_1: '1 coin', cr_activity: 'chat activity', cr_daily: 'daily bonus', cr_giveaway: 'giveaway entry', cr_invite: 'validated invite', cr_staff_give: 'gift from the team', cr_staff_take: 'taken by the team', cr_purchase: 'purchase', cr_refund: 'refund',
        k_subscription: 'subscription', k_one_time: 'one-time purchase', k_temporary: 'granted',
        gs_active: 'active', gs_past_due: 'payment pending', gs_ended: 'ended', gs_revoked: 'revoked', gs_cancelling: 'cancelled, ends with the period',
        // Marketing: applications, holders by role, the invite leaderboard, marketers' monthly statements, payouts, rewards.
        marketing: 'Marketing', mk_role_ambassador: 'Ambassador', mk_role_influencer: 'Influencer', mk_role_creator: 'Creator', mk_role_helper: 'Helper',
        mk_role_event_host: 'Event Host', mk_role_beta_tester: 'Beta Tester', mk_role_partner: 'Partner',
        mk_applications: 'Applications', mk_apps_none: 'No application in this list.', mk_app_status: 'Applications to show',
        mk_as_pending: 'pending', mk_as_approved: 'approved', mk_as_rejected: 'rejected', mk_form: 'What they wrote', mk_applied: 'Received',
        mk_followers: '{n} followers declared', mk_links: 'Links', mk_portfolio: 'Portfolio', mk_message: 'Presentation', mk_decision: 'Decision',
        mk_approve: 'Approve', mk_reject: 'Reject', mk_reject_reason: 'Reason for the rejection', mk_approved: '{member} is now {role}.',
        mk_rejected: 'Application of {member} ({role}) rejected.', mk_decided: '{status} on {d}', mk_because: 'reason: {reason}',
        mk_holders: 'Holders by role', mk_holders_none: 'Nobody holds a marketing role yet.', mk_granted: 'Since', mk_granted_by: 'Granted by',
        mk_revoke: 'Revoke the role', mk_revoke_reason: 'Reason for revoking', mk_revoked: 'Role {role} revoked from {member}.',
        mk_leaders: 'Invite leaderboard', mk_window: 'Period', mk_w_7d: '7 days', mk_w_30d: '30 days', mk_w_all: 'All time',
        mk_invites_total: 'Invites', mk_invites_validated: 'Validated', mk_leaders_none: 'No invite counted in this period.',
        mk_marketers: 'Marketers and statements', mk_month: 'Month', mk_csv: 'Download the month’s CSV', mk_marketers_none: 'No marketer this month.',
        mk_opening: 'Carried from last month', mk_earned: 'Earned', mk_reversed: 'Reversed or clawed back', mk_paid: 'Paid out', mk_pending: 'Pending',
        mk_closing: 'Due at the month’s end', mk_due_now: 'Due today', mk_show: 'Open the statement', mk_select: 'Choose a marketer in the list.',
        mk_statement: 'Statement of {member}: {month}', mk_statement_label: 'The marketer’s statement', mk_lines: 'The month’s lines', mk_lines_none: 'No line this month.', mk_kind: 'Kind',
        mk_amount: 'Amount', mk_sale: 'Sale', mk_buyer: 'Buyer', mk_note: 'Note', mk_created: 'Date', mk_due_at: 'Due on',
        mk_payouts: 'The month’s payouts', mk_payouts_none: 'No payout this month.', mk_reference: 'Reference', mk_by: 'Entered by',
        mk_k_sale: 'sale commission', mk_k_monthly: 'monthly reward', mk_k_piece: 'piece', mk_k_event: 'event', mk_k_clawback: 'clawback',
        mk_s_pending: 'pending', mk_s_due: 'due', mk_s_paid: 'paid', mk_s_reversed: 'reversed',
        mk_src_order: 'order', mk_src_preorder: 'pre-order', mk_src_plan: 'plan',
        mk_n_refund: 'refund', mk_n_partial_refund: 'partial refund', mk_n_dispute: 'dispute', mk_n_invite_cancelled: 'invite cancelled (left before validation)',
        mk_sale_of: '{percent} % of {sale}', mk_refunded_of: '{refunded} refunded',
        mk_payout: 'Record a payout', mk_payout_hint: 'The money is paid outside Maxis (a bank transfer…): enter its amount and reference here.',
        mk_payout_amount: 'Amount paid (e.g. 50.00)', mk_payout_reference: 'Payout reference', mk_payout_save: 'Record the payout',
        mk_payout_done: 'Payout of {amount} to {member} recorded ({reference}).', mk_bad_reference: 'Give the payout’s reference.',
        mk_reward: 'Enter a reward', mk_reward_role: 'Role', mk_reward_amount: 'Amount (e.g. 120.00)', mk_reward_note: 'Note (the month, the piece, the event…)',
        mk_reward_save: 'Record the reward', mk_reward_done: '{amount} for {member} ({role}) recorded: due now.',
        mk_bounds: '{reward}: between {min} and {max}.', mk_r_monthly: 'Monthly reward', mk_r_per_piece: 'Amount per piece', mk_r_per_event: 'Budget per event',
        mk_no_reward_role: 'This marketer holds no role rewarded by staff.', mk_bad_note: 'Give a note for this reward.',
    }),
});

// What each action of the logs (audit_log) says, in words. A ticket's history comes from the server as sentences.
const ACTIONS = Object.freeze({
    fr: Object.freeze({
        'login.succeeded': 'a ouvert une session', 'login.first_factor': 'a passé la connexion Discord (code à suivre)',
        'login.refused': 'connexion refusée', 'login.failed': 'connexion échouée', 'login_link.created': 'lien de connexion créé',
        logout: 'a fermé sa session', rate_limited: 'trop de tentatives, refusées un moment', 'session.ended': 'a mis fin à une session',
        '2fa.enabled': 'a activé la double authentification', '2fa.failed': 'code de double authentification erroné',
        '2fa.recovery_code_used': 'a utilisé un code de secours', '2fa.replayed': 'code de double authentification réutilisé',
        '2fa.reset': 'double authentification réinitialisée', 'member.blocked': 'a bloqué le membre', 'member.unblocked': 'a débloqué le membre',
        'setting.changed': 'a modifié un réglage',
    }),
    en: Object.freeze({
        'login.succeeded': 'signed in', 'login.first_factor': 'passed the Discord sign-in (code to follow)',
        'login.refused': 'sign-in refused', 'login.failed': 'sign-in failed', 'login_link.created': 'login link created',
        logout: 'signed out', rate_limited: 'too many attempts, refused for a while', 'session.ended': 'ended a session',
        '2fa.enabled': 'turned on two-factor authentication', '2fa.failed': 'wrong two-factor code',
        '2fa.recovery_code_used': 'used a recovery code', '2fa.replayed': 'two-factor code used again',
        '2fa.reset': 'two-factor authentication reset', 'member.blocked': 'blocked the member', 'member.unblocked': 'unblocked the member',
        'setting.changed': 'changed a setting',
    }),
});

/** An action in words; a key the panel does not know yet reads as its own words ("product.created": "product created"). */
function actionText(key) {
    const k = String(key);
    return Object.hasOwn(ACTIONS[LANG], k) ? ACTIONS[LANG][k] : k.replace(/[._]+/g, ' ').trim();
}

function t(key, params) {
    let s = Object.hasOwn(TEXT[LANG], key) ? TEXT[LANG][key] : key;
    if (params) for (const name of Object.keys(params)) s = s.replace('{' + name + '}', String(params[name]));
    return s;
}

// h('tag', {attributes}, children...): attributes are set one by one; 'on' takes {event: handler}.
function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
        for (const name of Object.keys(attrs)) {
            const value = attrs[name];
            if (value === undefined || value === null || value === false) continue;
            if (name === 'on') {
                for (const ev of Object.keys(value)) el.addEventListener(ev, value[ev]);
            } else if (name === 'text') {
                el.textContent = String(value);
            } else if (name === 'value') {
                el.value = String(value);
            } else if (name === 'checked') {
                el.checked = Boolean(value);
            } else {
                el.setAttribute(name, value === true ? '' : String(value));
            }
        }
    }
    for (const child of children.flat()) {
        if (child === null || child === undefined || child === false) continue;
        el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
}

function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
}

/** An amount in its currency; an order paid in coins (currency COINS, not an ISO code) counts coins. */
const money = (minor, currency) =>
    currency === 'COINS' ? coinsText(minor) : new Intl.NumberFormat(LANG, { style: 'currency', currency: currency || 'EUR' }).format(minor / 100);
/** "12,50" or "12.50" in minor units; null when empty; NaN when not an amount. */
const parseMoney = (text) => {
    const v = text.trim().replace(',', '.');
    if (!v) return null;
    if (!/^\d{1,7}(\.\d{1,2})?$/.test(v)) return NaN;
    const [units, cents = ''] = v.split('.');
    return Number(units) * 100 + Number((cents + '00').slice(0, 2));
};
/** An amount in minor units as a form's field shows it, the way parseMoney reads it back: « 59,99 » or "59.99". */
const moneyInput = (minor) => (Number(minor) / 100).toFixed(2).replace('.', LANG === 'fr' ? ',' : '.');
const day = (iso) => (iso ? new Intl.DateTimeFormat(LANG, { dateStyle: 'short' }).format(new Date(iso)) : '');
/** A plan's name: brand names, the same in every language. */
const planName = (id) => id.charAt(0).toUpperCase() + id.slice(1);
const when = (iso) => (iso ? new Intl.DateTimeFormat(LANG, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso)) : '');

let csrf = '';
let me = null;

class ApiError extends Error {
    constructor(status, message, retryAfter) {
        super(message);
        this.status = status;
        this.retryAfter = retryAfter;
    }
}

// The page goes to the login once: a logout and the page's own requests refused after it (401) must not start two
// navigations, or the second aborts the first.
let leaving = false;
function leaveForLogin() {
    if (leaving) return;
    leaving = true;
    window.location.assign('/admin-panel/login');
}

async function api(path, options) {
    const method = options && options.method ? options.method : 'GET';
    const headers = { Accept: 'application/json' };
    let body;
    if (method !== 'GET') {
        headers['X-CSRF-Token'] = csrf;
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(options && options.body ? options.body : {});
    }
    const res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
    let data = null;
    try {
        data = await res.json();
    } catch {
        data = null;
    }
    if (!res.ok) {
        // A refusal is said in the panel's language when TEXT words its key ("e_" and the whole key, such as
        // "e_panel.wrong_code" or "e_tickets.unchanged"), else as the server worded it. Every page shows this message.
        const key = data && data.error && typeof data.error.key === 'string' ? data.error.key : '';
        const message = key && Object.hasOwn(TEXT[LANG], 'e_' + key) ? t('e_' + key)
            : data && data.error && typeof data.error.message === 'string' ? data.error.message : res.statusText;
        const retry = Number(res.headers.get('Retry-After') || 0);
        if (res.status === 401 && PAGE !== 'second-factor' && PAGE !== 'enrol') leaveForLogin();
        const error = new ApiError(res.status, res.status === 429 ? t('too_many', { s: retry }) : message, retry);
        error.key = key;
        throw error;
    }
    return data;
}

function alertBox() {
    return h('p', { class: 'alert', role: 'alert', hidden: true });
}

/** A refusal or a failure in box, as an alert: the server's refusal as api() put it into words, else the error. */
function showError(box, error) {
    box.hidden = false;
    box.className = 'alert';
    box.textContent = error instanceof ApiError ? error.message : t('error') + ': ' + String(error && error.message);
}

function status(box, message) {
    box.hidden = false;
    box.className = 'notice';
    box.textContent = message;
}

// ---------------------------------------------------------------------------------------------------
// People: a response that carries person ids also carries "people": {"<id>": {name, username, avatar_url,
// role}}. A person shows as their avatar and name, linked to their member card; an id is never a name.

/**
 * The one member a typed text names: digits are an id; a name (with or without @) is looked up in the member
 * directory, an exact username or display name first (case and accents aside), else the only person it starts.
 * Resolves to {id, name}, or {refusal} (a sentence in the panel's language) when nobody or several answer.
 */
async function findMember(typed) {
    const text = String(typed).trim();
    if (/^[1-9]\d{0,18}$/.test(text)) return { id: text, name: text };
    const query = text.replace(/^@/, '');
    if (!query) return { refusal: t('bad_member') };
    const found = await api('/api/v1/members?limit=5&q=' + encodeURIComponent(query));
    const fold = (v) => String(v || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
    const exact = found.items.filter((p) => fold(p.username) === fold(query) || fold(p.display_name) === fold(query));
    const match = exact.length ? exact : found.items;
    if (match.length > 1) return { refusal: t('ambiguous_member', { names: match.map((p) => p.name).join(', ') }) };
    if (match.length === 0) return { refusal: t('bad_member') };
    return { id: match[0].id, name: match[0].name };
}

/** A role by its name in the panel's language (the raw value when the panel does not know it). */
const roleName = (role) => (Object.hasOwn(TEXT[LANG], 'role_' + role) ? t('role_' + role) : String(role));

/** The avatar (fixed size, empty alt: the name follows) and the name; « membre inconnu » when nobody knows. */
function personLabel(id, people, knownName) {
    const key = String(id);
    const p = people && Object.hasOwn(people, key) ? people[key] : null;
    const name = p && (p.name || p.username) ? String(p.name || p.username) : knownName ? String(knownName) : '';
    const avatar = p && typeof p.avatar_url === 'string' && p.avatar_url
        ? h('img', { src: p.avatar_url, alt: '', width: 20, height: 20, loading: 'lazy' })
        : h('span', { class: 'initial', 'aria-hidden': 'true', 'data-initial': (name || '?').charAt(0).toUpperCase() });
    return h('span', { class: 'person', 'data-user': key, title: name ? null : '…' + key.slice(-4) }, avatar, h('span', { class: 'name', text: name || t('unknown_member') }));
}

/** A person's username as '@name', '–' when the directory does not know it. */
function usernameOf(id, people) {
    const p = people && Object.hasOwn(people, String(id)) ? people[String(id)] : null;
    return p && p.username ? '@' + p.username : '–';
}

/** A person linked to their member card (the Members page's detail for that id); '–' when there is nobody. */
function person(id, people, knownName) {
    if (id === null || id === undefined || id === '') return '–';
    const key = String(id);
    // An order's history also names Stripe and Maxis itself.
    if (key === 'stripe' || key === 'maxis') return t('by_' + key);
    if (!/^[0-9]{1,20}$/.test(key)) return key;
    return h('a', { class: 'person-link', href: '/admin-panel/users?id=' + encodeURIComponent(String(id)) }, personLabel(id, people, knownName));
}

/** A sentence the server wrote in the panel's language (a ticket's history line): its words, and each person it names. */
const sentence = (pieces, people) => (Array.isArray(pieces) ? pieces : []).map((p) => (p && typeof p.user === 'string' ? person(p.user, people) : String(p && p.text ? p.text : '')));

// ---------------------------------------------------------------------------------------------------
// Chrome: header with navigation, who is signed in, language, log out.

function header() {
    const top = clear(document.getElementById('top'));
    const brand = h('a', { class: 'brand', href: '/admin-panel/dashboard' }, h('img', { src: '/admin-panel/assets/favicon.svg', alt: '', width: 28, height: 28 }), 'Maxis');
    top.append(brand);
    const langButton = h('button', {
        type: 'button', class: 'link', lang: LANG === 'fr' ? 'en' : 'fr', 'aria-label': t('language_label'), text: t('language'),
        on: { click: async () => {
            if (me) await api('/admin-panel/api/locale', { method: 'POST', body: { locale: LANG === 'fr' ? 'en' : 'fr' } });
            window.location.reload();
        } },
    });
    if (!me || me.stage !== 'active') {
        if (me) top.append(h('div', { class: 'who' }, langButton));
        return;
    }
    const links = ['dashboard', 'users', 'orders', 'products', 'promotions', 'plans', 'giveaways', 'preorders', 'marketing', 'tickets', 'logs', 'settings'].map((p) =>
        h('li', null, h('a', { href: '/admin-panel/' + p, 'aria-current': p === PAGE ? 'page' : null, text: t(p) })));
    top.append(h('nav', { 'aria-label': t('nav') }, h('ul', null, links)));
    const avatar = me.avatar_url ? h('img', { src: me.avatar_url, alt: '', width: 24, height: 24, class: 'avatar' }) : null;
    top.append(h('div', { class: 'who' }, avatar, h('span', null, t('signed_in_as') + ' ', h('strong', { text: me.name || me.user }), ' (' + roleName(me.role) + ')'),
        langButton,
        h('button', { type: 'button', id: 'logout', text: t('logout'), on: { click: async () => {
            if (leaving) return;
            try {
                await api('/admin-panel/api/logout', { method: 'POST' });
            } finally {
                leaveForLogin();
            }
        } } })));
}

function main(title) {
    const m = clear(document.getElementById('main'));
    document.title = title + ' · Maxis';
    m.append(h('h1', { text: title }));
    return m;
}

// ---------------------------------------------------------------------------------------------------
// Sign-in pages.

function loginPage() {
    const m = main(t('login_title'));
    const error = new URLSearchParams(window.location.search).get('error');
    const known = ['expired', 'link', 'discord', 'cancelled', 'oauth_unconfigured'];
    if (error && known.includes(error)) m.append(h('p', { class: 'alert', role: 'alert', text: t('error_' + error) }));
    m.append(h('p', null, h('a', { class: 'button primary', id: 'discord-login', href: '/admin-panel/auth/discord', text: t('login_with_discord') })));
    m.append(h('p', { class: 'muted', text: t('login_hint') }));
}

function refusedPage() {
    const m = main(t('refused_title'));
    m.append(h('p', { text: t('refused_body') }), h('p', null, h('a', { href: '/admin-panel/login', text: t('back_to_login') })));
}

function codeForm(label, submitText, onCode) {
    const box = alertBox();
    const input = h('input', { id: 'code', name: 'code', autocomplete: 'one-time-code', inputmode: 'text', required: true, maxlength: 20, spellcheck: 'false' });
    const form = h('form', { class: 'stack', on: { submit: async (e) => {
        e.preventDefault();
        box.hidden = true;
        try {
            await onCode(input.value.trim());
        } catch (err) {
            showError(box, err);
            input.select();
        }
    } } }, h('label', { for: 'code', text: label }), input, h('button', { type: 'submit', class: 'primary', text: submitText }), box);
    return { form, input };
}

/** The copy and download buttons beside the recovery codes, and where their outcome is said. */
function recoveryTools(codes) {
    const note = h('p', { id: 'codes-status', role: 'status' });
    const text = t('codes_file_title') + ' — ' + window.location.host + '\n\n' + codes.join('\n') + '\n';
    const file = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const copy = async () => {
        try {
            await navigator.clipboard.writeText(codes.join('\n'));
            note.textContent = t('codes_copied');
        } catch {
            note.textContent = t('copy_failed');
        }
    };
    return [h('p', { class: 'actions' }, h('button', { type: 'button', id: 'copy-codes', text: t('copy_codes'), on: { click: copy } }),
        h('a', { class: 'button', id: 'download-codes', href: file, download: 'maxis-recovery-codes.txt', text: t('download_codes') })), note];
}

async function enrolPage() {
    const m = main(t('enrol_title'));
    const box = alertBox();
    m.append(box);
    try {
        const setup = await api('/admin-panel/api/second-factor/setup', { method: 'POST' });
        m.append(h('p', { text: t('enrol_intro') }));
        m.append(h('img', { class: 'qr', id: 'qr', src: '/admin-panel/api/second-factor/qr.svg?v=' + Date.now(), alt: t('qr_alt'), width: 246, height: 246 }));
        m.append(h('p', null, t('enrol_secret') + ' ', h('code', { id: 'secret', text: String(setup.secret) })));
        const { form, input } = codeForm(t('code_label'), t('confirm'), async (code) => {
            const result = await api('/admin-panel/api/second-factor/confirm', { method: 'POST', body: { code } });
            const codes = result.recovery_codes.map(String);
            const list = h('ol', { id: 'recovery-codes', class: 'codes' }, codes.map((c) => h('li', null, h('code', { text: c }))));
            const done = main(t('recovery_title'));
            done.append(h('p', { text: t('recovery_intro') }), list, ...recoveryTools(codes),
                h('p', null, h('a', { class: 'button primary', id: 'continue', href: '/admin-panel/dashboard', text: t('continue') })));
        });
        m.append(form);
        input.focus();
    } catch (err) {
        showError(box, err);
    }
}

function secondFactorPage() {
    const m = main(t('second_title'));
    m.append(h('p', { text: t('second_intro') }));
    const { form, input } = codeForm(t('code_or_recovery'), t('verify'), async (code) => {
        await api('/admin-panel/api/second-factor/verify', { method: 'POST', body: { code } });
        window.location.assign('/admin-panel/dashboard');
    });
    m.append(form);
    input.focus();
}

// ---------------------------------------------------------------------------------------------------
// Dashboard.

function card(label, value, id) {
    return h('div', { class: 'card', id }, h('p', { class: 'card-label', text: label }), h('p', { class: 'card-value', text: value }));
}

/** A day of the community's calendar ('2026-11-30') as the panel's language writes it: 30/11 in French. */
const dayMonth = (d) => new Intl.DateTimeFormat(LANG, { day: '2-digit', month: '2-digit', timeZone: 'UTC' }).format(new Date(d + 'T12:00:00Z'));

/** The indexes of a series' points that no line reaches (its only value), drawn as dots so that they show. */
function lonePoints(values) {
    const present = values.flatMap((v, i) => (v === null || v === undefined ? [] : [i]));
    return present.length === 1 ? present : null;
}

function chart(container, title, days, series) {
    // The x axis is the days' index, labelled dd/mm (mm/dd in English); the data table beside each chart says
    // the same for screen readers. A chart with nothing but zeros says so instead of drawing empty axes.
    const palette = ['#2f3fb8', '#b3261e', '#8a5a00', '#1e7a46', '#6b3fa0', '#00707a', '#5b5f6b', '#a0306e'];
    const figure = h('figure', { class: 'chart' }, h('figcaption', { text: title }));
    container.append(figure);
    if (!series.some((s) => s.values.some((v) => v !== null && v !== undefined && v !== 0))) {
        figure.append(h('p', { class: 'chart-empty', text: t('no_data_yet') }));
        return () => {};
    }
    const legend = h('ul', { class: 'legend', 'aria-label': t('legend') }, series.map((s, i) => {
        const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' });
        swatch.style.background = palette[i % palette.length];
        return h('li', null, swatch, s.label);
    }));
    const plot = h('div', { role: 'img', 'aria-label': title + ' — ' + t('chart_summary', { n: days.length }) });
    figure.append(legend, plot);
    const xs = days.map((d, i) => i);
    const labels = days.map(dayMonth);
    // Drawn once every figure is in the grid, so that each knows its final width.
    const draw = () => {
        const width = Math.max(260, figure.clientWidth - 26);
        // eslint-disable-next-line no-undef
        new uPlot({
            width, height: 220, legend: { show: false }, cursor: { show: false },
            scales: { x: { time: false, range: (u, min, max) => [min - 0.5, max + 0.5] } },
            series: [{}].concat(series.map((s, i) => ({
                label: s.label, stroke: palette[i % palette.length], width: 2, spanGaps: true,
                points: { size: 7, fill: palette[i % palette.length], filter: (u, si, show) => (show ? null : lonePoints(s.values)) },
            }))),
            axes: [{ stroke: '#333', incrs: [1, 2, 5, 7, 10, 14, 30], values: (u, splits) => splits.map((i) => labels[i] ?? '') }, { stroke: '#333' }],
        }, [xs].concat(series.map((s) => s.values)), plot);
    };
    const table = h('table', { class: 'compact' },
        h('caption', { class: 'visually-hidden', text: title }),
        h('thead', null, h('tr', null, h('th', { scope: 'col', text: t('at') }), series.map((s) => h('th', { scope: 'col', text: s.label })))),
        h('tbody', null, days.map((d, i) => h('tr', null, h('th', { scope: 'row', text: labels[i] }), series.map((s) => h('td', { text: s.values[i] === null ? '–' : String(Math.round(s.values[i] * 10) / 10) }))))));
    figure.append(h('details', null, h('summary', { text: title }), table));
    return draw;
}

async function dashboardPage() {
    const m = main(t('dashboard'));
    const box = alertBox();
    m.append(box);
    try {
        await setupChecklist(m);
        const d = await api('/admin-panel/api/dashboard?days=30');
        const sum = (a) => a.reduce((x, y) => x + y, 0);
        m.append(h('div', { class: 'cards' },
            card(t('active_tickets'), String(d.active_tickets), 'card-active'),
            card(t('breaches_30'), String(sum(d.first_response_breaches) + sum(d.resolution_breaches)), 'card-breaches'),
            card(t('members_known'), String(d.members.known), 'card-members'),
            card(t('members_guild'), d.members.guild === null ? t('unknown') : String(d.members.guild), 'card-guild'),
            ...(d.discord ? [card(t('gateway'), t('gateway_' + d.discord.gateway), 'card-gateway')] : [])));
        if (d.discord && d.discord.gateway === 'failed') {
            box.hidden = false;
            box.textContent = t('gateway_failed_alert') + ' ' + d.discord.explanation + ' (' + d.discord.reason + ')';
        }
        const statuses = ['open', 'waiting_staff', 'waiting_member', 'resolved', 'closed'];
        const max = Math.max(1, ...statuses.map((s) => d.tickets_by_status[s]));
        m.append(h('section', { 'aria-labelledby': 'by-status' }, h('h2', { id: 'by-status', text: t('by_status') }),
            h('table', { class: 'bars', id: 'status-table' }, h('tbody', null, statuses.map((s) => {
                const bar = h('span', { class: 'bar' });
                bar.style.width = Math.round((100 * d.tickets_by_status[s]) / max) + '%';
                return h('tr', null, h('th', { scope: 'row', text: t(s) }), h('td', { class: 'num', text: String(d.tickets_by_status[s]) }), h('td', { class: 'bar-cell' }, bar));
            })))));
        // Revenue: the shop's money in and out per day, over the same 30 days.
        const revenue = await api('/api/v1/shop/revenue?days=30');
        const currency = revenue.items.length ? revenue.items[0].currency : 'EUR';
        const byDay = new Map(revenue.items.filter((r) => r.currency === currency).map((r) => [r.day, r]));
        const gross = d.days.map((day) => (byDay.has(day) ? byDay.get(day).gross_minor / 100 : 0));
        const refunds = d.days.map((day) => (byDay.has(day) ? byDay.get(day).refunded_minor / 100 : 0));
        const net = revenue.items.filter((r) => r.currency === currency).reduce((x, r) => x + r.net_minor, 0);
        const paidOrders = revenue.items.reduce((x, r) => x + r.orders, 0);
        m.querySelector('.cards').append(card(t('revenue_30'), money(net, currency), 'card-revenue'), card(t('orders_30'), String(paidOrders), 'card-orders'));
        // Plans: subscribers and monthly recurring revenue now, and the assistant's use per day.
        const subs = await api('/api/v1/plans/subscribers');
        const mrr = subs.mrr.length ? subs.mrr : [{ currency, mrr_minor: 0 }];
        m.querySelector('.cards').append(card(t('mrr'), mrr.map((x) => money(x.mrr_minor, x.currency)).join(' + '), 'card-mrr'),
            card(t('subscribers'), String(subs.paying), 'card-subscribers'));
        const most = Math.max(1, ...subs.items.map((p) => p.members));
        m.append(h('section', { 'aria-labelledby': 'by-plan' }, h('h2', { id: 'by-plan', text: t('by_plan') }),
            h('table', { class: 'bars', id: 'plans-table' },
                h('thead', null, h('tr', null, ['plan', 'plan_members', 'past_due', 'cancelling', 'granted', 'mrr'].map((k) => h('th', { scope: 'col', text: t(k) })),
                    h('td', null))),
                h('tbody', null, subs.items.map((p) => {
                    const bar = h('span', { class: 'bar' });
                    bar.style.width = Math.round((100 * p.members) / most) + '%';
                    return h('tr', { 'data-plan': p.plan },
                        h('th', { scope: 'row', text: planName(p.plan) }), h('td', { class: 'num', text: String(p.members) }),
                        h('td', { class: 'num', text: String(p.past_due) }), h('td', { class: 'num', text: String(p.cancelling) }),
                        h('td', { class: 'num', text: String(p.granted) }), h('td', { class: 'num', text: p.billing === 'monthly' ? money(p.mrr_minor, p.currency) : '–' }),
                        h('td', { class: 'bar-cell' }, bar));
                })))));
        const history = await api('/api/v1/plans/history?days=30');
        const usage = await api('/api/v1/plans/usage?days=30');
        const usageByDay = new Map(usage.items.map((u) => [u.day, u]));
        const used = (field) => d.days.map((x) => (usageByDay.has(x) ? usageByDay.get(x)[field] : 0));
        const charts = h('div', { class: 'charts' });
        m.append(charts);
        const draws = [
            chart(charts, t('revenue_chart') + ' (' + currency + ')', d.days, [{ label: t('gross'), values: gross }, { label: t('refunds'), values: refunds }]),
            chart(charts, t('subscribers_chart'), history.days, history.items.map((p) => ({ label: planName(p.plan), values: p.members }))),
            chart(charts, t('created_breaches'), d.days, [
                { label: t('created'), values: d.created }, { label: t('fr_breaches'), values: d.first_response_breaches },
                { label: t('res_breaches'), values: d.resolution_breaches }]),
            chart(charts, t('response_times'), d.days, [{ label: t('median_minutes'), values: d.first_response_median_minutes }]),
            chart(charts, t('member_flow'), d.days, [{ label: t('joins'), values: d.joins }, { label: t('leaves'), values: d.leaves }]),
            chart(charts, t('assistant_chart'), d.days, [{ label: t('ai_messages'), values: used('messages') }, { label: t('ai_images'), values: used('images') },
                { label: t('ai_members'), values: used('members') }]),
        ];
        for (const draw of draws) draw();
    } catch (err) {
        showError(box, err);
    }
}

// ---------------------------------------------------------------------------------------------------
// Members.

/** The member card's plan: what gives it and until when, today's assistant use, and every grant. */
/** Why a grant was made and why it stopped, with who did it: "concours — par Sam · retirée par Sam : erreur". */
function grantWhy(g, people) {
    const out = [];
    // A giveaway winner's plan (the Winner grade) is known by its reference, not its note: said in the panel's language.
    const won = /^giveaway-(\d+)-winner-\d+$/.exec(g.ref || '');
    if (won) {
        out.push(t('pl_gw_winner', { id: won[1] }));
        if (g.end) out.push(' · ' + t(g.end === 'revoked' ? 'pl_gw_replaced' : 'end_' + g.end));
        return out;
    }
    if (g.reason) out.push(g.reason);
    if (g.granted_by) out.push(' — ' + t('pl_by') + ' ', person(g.granted_by, people));
    if (g.end) {
        out.push((out.length ? ' · ' : '') + t('end_' + g.end));
        if (g.ended_by) out.push(' ' + t('pl_by') + ' ', person(g.ended_by, people));
        if (g.end_reason) out.push(' : ' + g.end_reason);
    }
    return out.length ? out : ['–'];
}

/** An amount of coins in words, without its sign ("250 pièces", "1 coin"). */
const coinsText = (n) => (Math.abs(n) === 1 ? t('coin_1') : t('coins_n', { n: Math.abs(n).toLocaleString(LANG === 'fr' ? 'fr-FR' : 'en-GB') }));

/** A member's coins on their card: the balance and the latest movements, each with its reason in words. */
function memberCoins(c) {
    const coins = coinsText;
    const out = [h('h3', { text: t('coins') }), h('dl', { class: 'facts' }, h('dt', { text: t('coin_balance') }), h('dd', { id: 'member-coins', text: coins(c.balance) }))];
    if (!c.entries.length) out.push(h('p', { class: 'muted', text: t('coins_none') }));
    else {
        out.push(h('table', { class: 'compact', id: 'member-coin-entries' },
            h('thead', null, h('tr', null, ['at', 'coin_amount', 'why'].map((k) => h('th', { scope: 'col', text: t(k) })))),
            h('tbody', null, c.entries.map((e) => h('tr', null, h('td', { text: when(e.at) }), h('td', { text: (e.amount < 0 ? '−' : '+') + coins(e.amount) }),
                h('td', null, t('cr_' + e.reason), e.actor ? h('span', null, ' — ', person(e.actor, c.people)) : null, e.note ? ' : ' + e.note : ''))))));
    }
    return out;
}

function memberPlan(p) {
    const g = p.grant;
    let state = t('plan_free');
    if (g && g.kind === 'one_time') state = t('g_for_life');
    else if (g && g.kind === 'temporary') state = t('g_until', { d: day(g.expires_at) });
    else if (g && g.status === 'past_due') state = t('g_past_due', { d: day(g.grace_until) });
    else if (g && g.cancel_at_period_end) state = t('g_ends', { d: day(g.period_end) });
    else if (g) state = t('g_renews', { d: day(g.period_end) });
    const u = p.usage;
    const count = (what, n, max) => (max === null ? t(what + '_unlimited', { n }) : t(what + '_of', { n, max }));
    const out = [h('h3', { text: t('member_plan') }),
        h('dl', { class: 'facts', id: 'member-plan' },
            h('dt', { text: t('plan') }), h('dd', { id: 'member-plan-name', text: planName(p.plan.id) + ' — ' + state }),
            h('dt', { text: t('usage_today') }), h('dd', { id: 'member-usage', text: count('messages', u.messages, u.messages_limit) +
                (p.plan.entitlements.image_generation ? ' · ' + count('images', u.images, u.images_limit) : '') }))];
    if (p.grants.length) {
        out.push(h('table', { class: 'compact', id: 'member-grants' }, h('caption', { text: t('grants') }),
            h('thead', null, h('tr', null, ['plan', 'source', 'status', 'until', 'since', 'why'].map((k) => h('th', { scope: 'col', text: t(k) })))),
            h('tbody', null, p.grants.map((x) => h('tr', null, h('td', { text: planName(x.plan) }), h('td', { text: t('k_' + x.kind) }),
                h('td', { text: t(x.cancel_at_period_end && x.status === 'active' ? 'gs_cancelling' : 'gs_' + x.status) }),
                h('td', { text: x.kind === 'one_time' ? t('g_for_life') : day(x.grace_until || x.expires_at || x.period_end) }),
                h('td', { text: day(x.created_at) }), h('td', { class: 'why' }, ...grantWhy(x, p.people)))))));
    }
    return out;
}

async function usersPage() {
    const m = main(t('users'));
    const box = alertBox();
    const q = h('input', { id: 'user-search', type: 'search', name: 'q', maxlength: 100 });
    const results = h('div', { id: 'user-results' });
    const profile = h('section', { id: 'profile', 'aria-live': 'polite', 'aria-label': t('profile') }, h('p', { class: 'muted', text: t('select_user') }));
    const search = async () => {
        try {
            const data = await api('/admin-panel/api/users?q=' + encodeURIComponent(q.value.trim()));
            clear(results);
            if (!data.items.length) {
                results.append(h('p', { text: t('no_results') }));
                return;
            }
            results.append(h('table', null,
                h('thead', null, h('tr', null, ['name', 'username', 'locale', 'blocked', 'since'].map((k) => h('th', { scope: 'col', text: t(k) })))),
                h('tbody', null, data.items.map((u) => h('tr', null,
                    h('td', null, h('button', { type: 'button', class: 'link', on: { click: () => showUser(u.id) } }, personLabel(u.id, data.people, u.name))),
                    h('td', { text: usernameOf(u.id, data.people) }), h('td', { text: u.locale }), h('td', { text: u.blocked ? t('yes') : t('no') }), h('td', { text: when(u.created_at) }))))));
        } catch (err) {
            showError(box, err);
        }
    };
    const showUser = async (id) => {
        try {
            const u = await api('/admin-panel/api/users/' + encodeURIComponent(id));
            clear(profile);
            const toggle = h('button', { type: 'button', id: 'block-toggle', text: u.blocked ? t('unblock') : t('block'), on: { click: async () => {
                await api('/admin-panel/api/users/' + encodeURIComponent(id) + '/block', { method: 'POST', body: { blocked: !u.blocked } });
                await showUser(id);
                await search();
            } } });
            const who = personLabel(u.id, u.people, u.name);
            profile.append(h('h2', null, t('profile') + ' — ', who),
                h('dl', { class: 'facts' }, h('dt', { text: t('username') }), h('dd', { text: usernameOf(u.id, u.people) }), h('dt', { text: t('locale') }), h('dd', { text: u.locale }),
                    h('dt', { text: t('blocked') }), h('dd', { text: u.blocked ? t('yes') : t('no') }), h('dt', { text: t('since') }), h('dd', { text: when(u.created_at) })),
                // The id is there to copy (a Discord search, a support request), not to read.
                h('details', { class: 'discord-id' }, h('summary', { text: t('id') }), h('code', { text: u.id })),
                toggle, h('h3', { text: t('member_tickets') }),
                u.tickets.length ? h('ul', null, u.tickets.map((tk) => h('li', null, h('a', { href: '/admin-panel/tickets?id=' + tk.id, text: '#' + tk.id + ' ' + tk.subject }), ' — ' + t(tk.status)))) : h('p', { text: t('no_results') }));
            profile.append(...memberPlan(await api('/api/v1/members/' + encodeURIComponent(u.id) + '/plan')));
            profile.append(...memberCoins(await api('/api/v1/coins/' + encodeURIComponent(u.id) + '?limit=10')));
            const orders = await api('/api/v1/orders?limit=20&user=' + encodeURIComponent(u.id));
            profile.append(h('h3', { text: t('member_orders') }),
                orders.items.length ? h('ul', { id: 'member-orders' }, orders.items.map((o) => h('li', null, h('a', { href: '/admin-panel/orders?id=' + o.id, text: o.number }),
                    ' — ' + t('o_' + o.status) + ' · ' + money(o.total_minor, o.currency)))) : h('p', { text: t('no_results') }));
        } catch (err) {
            showError(box, err);
        }
    };
    m.append(h('form', { class: 'filters', role: 'search', on: { submit: (e) => { e.preventDefault(); search(); } } },
        h('label', { for: 'user-search', text: t('search_users') }), q, h('button', { type: 'submit', text: t('search') })), box, h('div', { class: 'split' }, results, profile));
    await search();
    // A member's card is linked from every page as /admin-panel/users?id=<id>.
    const wanted = new URLSearchParams(window.location.search).get('id');
    if (wanted && /^[0-9]{1,20}$/.test(wanted)) await showUser(wanted);
}

// ---------------------------------------------------------------------------------------------------
// Tickets: list with filters, detail with history, reply or note, assignment, priority, status; new
// activity appears without a reload (polling every 5 s).

const STATUSES = ['open', 'waiting_staff', 'waiting_member', 'resolved', 'closed'];
const PRIORITIES = ['critical', 'high', 'medium', 'low'];
const CATEGORIES = ['general', 'billing', 'technical', 'bug', 'account', 'suggestion'];

function select(id, label, values, withAny, selected) {
    const options = (withAny ? [['', t('any')]] : []).concat(values.map((v) => (Array.isArray(v) ? v : [v, t(v)])));
    return [h('label', { for: id, text: label }), h('select', { id, name: id }, options.map(([v, text]) => h('option', { value: v, text, selected: v === selected })))];
}


/** A search among the staff (GET /api/v1/members?staff=1) whose results are buttons, one per person, that call
 *  onPick with that person's id. */
function staffPicker(onPick, box) {
    const input = h('input', { id: 'assign-search', type: 'search', maxlength: 100, autocomplete: 'off', size: 16 });
    const found = h('ul', { id: 'assign-options', class: 'picker', 'aria-label': t('staff_found'), 'aria-live': 'polite' });
    let timer = 0;
    const find = async () => {
        try {
            const data = await api('/api/v1/members?' + new URLSearchParams({ q: input.value.trim(), staff: '1', limit: '8' }).toString());
            clear(found);
            // Each item is a person: {id, name, username, avatar_url, role}.
            const people = Object.fromEntries(data.items.map((p) => [String(p.id), p]));
            if (!data.items.length) found.append(h('li', { class: 'muted', text: t('no_results') }));
            for (const id of data.items.map((p) => String(p.id))) {
                found.append(h('li', null, h('button', { type: 'button', class: 'link', 'data-user': id, on: { click: () => onPick(id) } }, personLabel(id, people))));
            }
        } catch (err) {
            showError(box, err);
        }
    };
    input.addEventListener('input', () => {
        window.clearTimeout(timer);
        timer = window.setTimeout(find, 250);
    });
    return h('form', { class: 'inline', id: 'assign-form', role: 'search', on: { submit: (e) => { e.preventDefault(); find(); } } },
        h('label', { for: 'assign-search', text: t('assign_to_staff') }), input, h('button', { type: 'submit', text: t('search') }), found);
}

async function ticketsPage() {
    const m = main(t('tickets'));
    const box = alertBox();
    const [statusLabel, status] = select('f-status', t('status'), STATUSES, true, '');
    const [priorityLabel, priority] = select('f-priority', t('priority'), PRIORITIES, true, '');
    const [categoryLabel, category] = select('f-category', t('category'), CATEGORIES, true, '');
    const [assigneeLabel, assignee] = select('f-assignee', t('assignee'), [['me', t('mine')], ['none', t('unassigned')]], true, '');
    const text = h('input', { id: 'f-text', type: 'search', maxlength: 200 });
    const breached = h('input', { id: 'f-breached', type: 'checkbox' });
    const list = h('div', { id: 'ticket-list' });
    const detail = h('section', { id: 'ticket-detail', 'aria-label': t('ticket') }, h('p', { class: 'muted', text: t('select_ticket') }));
    const live = h('p', { id: 'activity', class: 'notice', role: 'status', hidden: true });
    let openId = new URLSearchParams(window.location.search).get('id');
    let lastSeen = '';
    let listSignature = '';

    const query = () => {
        const p = new URLSearchParams();
        if (status.value) p.set('status', status.value);
        if (priority.value) p.set('priority', priority.value);
        if (category.value) p.set('category', category.value);
        if (assignee.value) p.set('assignee', assignee.value === 'me' ? me.user : 'none');
        if (breached.checked) p.set('breached', 'true');
        if (text.value.trim()) p.set('text', text.value.trim());
        p.set('limit', '50');
        return p.toString();
    };
    const loadList = async () => {
        const data = await api('/api/v1/tickets?' + query());
        const signature = data.items.map((x) => x.id + ':' + x.updated_at).join(',');
        if (signature === listSignature) return;
        listSignature = signature;
        clear(list);
        if (!data.items.length) {
            list.append(h('p', { text: t('no_results') }));
            return;
        }
        list.append(h('table', { id: 'tickets-table' },
            h('thead', null, h('tr', null, ['id', 'subject', 'owner', 'status', 'priority', 'assignee', 'updated'].map((k) => h('th', { scope: 'col', text: t(k) })))),
            h('tbody', null, data.items.map((x) => h('tr', { class: String(x.id) === String(openId) ? 'selected' : null, 'data-id': x.id },
                h('td', { text: '#' + x.id }),
                h('td', null, h('button', { type: 'button', class: 'link', text: x.subject, on: { click: () => { openId = String(x.id); lastSeen = ''; showTicket(); } } })),
                h('td', null, person(x.owner, data.people)),
                h('td', null, t(x.status), x.sla.first_response_breached || x.sla.resolution_breached ? h('span', { class: 'badge danger', text: t('breached') }) : null),
                h('td', { text: t(x.priority) }), h('td', null, person(x.assignee, data.people)), h('td', { text: when(x.updated_at) }))))));
    };
    const showTicket = async () => {
        if (!openId) return;
        const tk = await api('/api/v1/tickets/' + encodeURIComponent(openId) + '?locale=' + LANG);
        const signature = tk.updated_at + ':' + tk.messages.length;
        if (signature === lastSeen) return;
        if (lastSeen) {
            live.hidden = false;
            live.textContent = t('new_activity');
        }
        lastSeen = signature;
        clear(detail);
        const messages = h('ol', { class: 'messages', id: 'messages' }, tk.messages.map((msg) => h('li', { class: msg.internal ? 'internal' : msg.from_staff ? 'staff' : 'member' },
            h('p', { class: 'meta' }, msg.internal ? h('span', { class: 'badge', text: t('internal_note') }) : null, (msg.from_staff ? t('staff') : t('member')) + ' ',
                person(msg.author, tk.people), ' · ' + when(msg.created_at)),
            h('p', { class: 'body', text: msg.body }))));
        const history = h('ol', { class: 'history', id: 'ticket-history' }, (tk.audit || []).map((a) => h('li', null, when(a.at) + ' — ',
            ...sentence(a.sentence, tk.people))));
        const body = h('textarea', { id: 'reply-body', name: 'body', rows: 4, required: true, maxlength: 4000 });
        const note = h('input', { id: 'reply-note', type: 'checkbox', name: 'internal' });
        const formBox = alertBox();
        const replyForm = h('form', { class: 'stack', id: 'reply-form', on: { submit: async (e) => {
            e.preventDefault();
            try {
                await api('/api/v1/tickets/' + tk.id + '/messages', { method: 'POST', body: { body: body.value, internal: note.checked } });
                body.value = '';
                lastSeen = '';
                live.hidden = true;
                await showTicket();
                await loadList();
            } catch (err) {
                showError(formBox, err);
            }
        } } }, h('h3', { text: t('reply') }), h('label', { for: 'reply-body', text: t('message') }), body,
        h('div', { class: 'inline' }, note, h('label', { for: 'reply-note', text: t('as_note') })), h('button', { type: 'submit', class: 'primary', text: t('send') }), formBox);
        const actionBox = h('p', { class: 'alert', id: 'assign-error', role: 'alert', hidden: true });
        const [pLabel, pSelect] = select('set-priority', t('priority'), PRIORITIES, false, tk.priority);
        const [sLabel, sSelect] = select('set-status', t('status'), STATUSES, false, tk.status);
        const patch = async (change) => {
            try {
                await api('/api/v1/tickets/' + tk.id, { method: 'PATCH', body: change });
                lastSeen = '';
                live.hidden = true;
                await showTicket();
                await loadList();
            } catch (err) {
                showError(actionBox, err);
            }
        };
        const picker = staffPicker((id) => patch({ assignee: id }), actionBox);
        const actions = h('div', { class: 'actions' },
            h('button', { type: 'button', id: 'claim', text: t('claim'), disabled: String(tk.assignee) === String(me.user), on: { click: () => patch({ assignee: me.user }) } }),
            picker,
            h('div', { class: 'inline' }, pLabel, pSelect, h('button', { type: 'button', id: 'apply-priority', text: t('change'), on: { click: () => patch({ priority: pSelect.value }) } })),
            h('div', { class: 'inline' }, sLabel, sSelect, h('button', { type: 'button', id: 'apply-status', text: t('change'), on: { click: () => patch({ status: sSelect.value }) } })));
        detail.append(h('h2', { id: 'ticket-title', text: '#' + tk.id + ' — ' + tk.subject }),
            h('dl', { class: 'facts' }, h('dt', { text: t('owner') }), h('dd', { id: 'ticket-owner' }, person(tk.owner, tk.people)),
                h('dt', { text: t('status') }), h('dd', { id: 'ticket-status', text: t(tk.status) }), h('dt', { text: t('priority') }), h('dd', { id: 'ticket-priority', text: t(tk.priority) }),
                h('dt', { text: t('category') }), h('dd', { text: t(tk.category) }), h('dt', { text: t('assignee') }), h('dd', { id: 'ticket-assignee' }, person(tk.assignee, tk.people))),
            actions, actionBox, h('h3', { text: t('conversation') }), messages, replyForm, h('h3', { text: t('history') }), history);
    };
    const refresh = async () => {
        try {
            await loadList();
            await showTicket();
        } catch (err) {
            showError(box, err);
        }
    };
    m.append(h('form', { class: 'filters', on: { submit: (e) => { e.preventDefault(); listSignature = ''; refresh(); } } },
        statusLabel, status, priorityLabel, priority, categoryLabel, category, assigneeLabel, assignee,
        h('label', { for: 'f-text', text: t('text') }), text, h('span', { class: 'inline' }, breached, h('label', { for: 'f-breached', text: t('breached') })),
        h('button', { type: 'submit', text: t('filter') })), box, live, h('div', { class: 'split' }, list, detail));
    await refresh();
    window.setInterval(refresh, 5000);
}

// ---------------------------------------------------------------------------------------------------
// Orders: list with filters, detail with items and timeline; staff move an order along, set its tracking
// and refund it through Stripe (the order changes when Stripe's event arrives, shown on the next poll).

const ORDER_STATUSES = ['pending', 'paid', 'fulfilled', 'shipped', 'delivered', 'cancelled', 'refunded'];
const ORDER_MOVES = Object.freeze({ paid: ['fulfilled', 'delivered'], fulfilled: ['delivered'], shipped: ['delivered'], pending: ['cancelled'] });

async function ordersPage() {
    const m = main(t('orders'));
    const box = alertBox();
    const [statusLabel, statusFilter] = select('o-status', t('status'), ORDER_STATUSES.map((s) => [s, t('o_' + s)]), true, '');
    const member = h('input', { id: 'o-member', inputmode: 'numeric', maxlength: 19, size: 20, pattern: '[0-9]*' });
    const list = h('div', { id: 'order-list' });
    const detail = h('section', { id: 'order-detail', 'aria-label': t('order') }, h('p', { class: 'muted', text: t('select_order') }));
    let openId = new URLSearchParams(window.location.search).get('id');
    let lastSeen = '';
    let doneText = null;  // what the last action did, shown once the order is drawn again

    const loadList = async () => {
        const p = new URLSearchParams();
        if (statusFilter.value) p.set('status', statusFilter.value);
        if (member.value.trim()) p.set('user', member.value.trim());
        p.set('limit', '50');
        const data = await api('/api/v1/orders?' + p.toString());
        clear(list);
        if (!data.items.length) {
            list.append(h('p', { text: t('no_results') }));
            return;
        }
        list.append(h('table', { id: 'orders-table' },
            h('thead', null, h('tr', null, ['number', 'owner', 'status', 'total', 'at'].map((k) => h('th', { scope: 'col', text: t(k) })))),
            h('tbody', null, data.items.map((o) => h('tr', { class: String(o.id) === String(openId) ? 'selected' : null, 'data-id': o.id },
                h('td', null, h('button', { type: 'button', class: 'link', text: o.number, on: { click: () => { openId = String(o.id); lastSeen = ''; showOrder(); } } })),
                h('td', null, person(o.owner, data.people)),
                h('td', null, t('o_' + o.status), o.disputed ? h('span', { class: 'badge danger', text: t('disputed') }) : null),
                h('td', { class: 'num', text: money(o.total_minor, o.currency) }), h('td', { text: when(o.created_at) }))))));
    };
    const showOrder = async () => {
        if (!openId) return;
        const o = await api('/api/v1/orders/' + encodeURIComponent(openId));
        const signature = o.updated_at + ':' + o.events.length + ':' + o.refunded_minor;
        if (signature === lastSeen) return;
        lastSeen = signature;
        clear(detail);
        const formBox = alertBox();
        if (doneText) status(formBox, doneText);
        doneText = null;
        const act = async (path, method, body, done) => {
            try {
                const result = await api(path, { method, body });
                lastSeen = '';
                // The order is drawn again with a new message box: the message goes in that one.
                doneText = done ? done(result) : null;
                await showOrder();
                await loadList();
            } catch (err) {
                showError(formBox, err);
            }
        };
        const moves = ORDER_MOVES[o.status] || [];
        const note = h('input', { id: 'order-note', maxlength: 200 });
        const [mLabel, mSelect] = select('order-move', t('status'), moves.map((s) => [s, t('o_' + s)]), false, moves[0]);
        const carrier = h('input', { id: 'tracking-carrier', maxlength: 60, required: true, value: o.tracking.carrier });
        const code = h('input', { id: 'tracking-code', maxlength: 100, required: true, value: o.tracking.code });
        const link = h('input', { id: 'tracking-url', type: 'url', maxlength: 500, value: o.tracking.url });
        const amount = h('input', { id: 'refund-amount', inputmode: 'decimal', maxlength: 10, size: 10 });
        const staffTools = [];
        if (moves.length) {
            staffTools.push(h('form', { class: 'inline', id: 'move-form', on: { submit: (e) => { e.preventDefault(); act('/api/v1/orders/' + o.id, 'PATCH', { status: mSelect.value, note: note.value }); } } },
                mLabel, mSelect, h('label', { for: 'order-note', text: t('note') }), note, h('button', { type: 'submit', text: t('change') })));
        }
        if (['paid', 'fulfilled', 'shipped', 'delivered'].includes(o.status)) {
            staffTools.push(h('form', { class: 'stack', id: 'tracking-form', on: { submit: (e) => {
                e.preventDefault();
                act('/api/v1/orders/' + o.id, 'PATCH', { carrier: carrier.value, tracking_code: code.value, tracking_url: link.value });
            } } }, h('h3', { text: t('tracking') }), h('label', { for: 'tracking-carrier', text: t('carrier') }), carrier,
            h('label', { for: 'tracking-code', text: t('tracking_code') }), code, h('label', { for: 'tracking-url', text: t('tracking_url') }), link,
            h('button', { type: 'submit', text: t('save_tracking') })));
        }
        if (o.refundable && o.currency === 'COINS') {
            // Paid in coins: refunded whole, the coins go back at once (no amount, no Stripe).
            staffTools.push(h('form', { class: 'inline', id: 'refund-form', on: { submit: (e) => {
                e.preventDefault();
                act('/api/v1/orders/' + o.id + '/refund', 'POST', {}, (r) => t('refund_coins_done', { coins: coinsText(r.amount_minor) }));
            } } }, h('button', { type: 'submit', class: 'danger', text: t('refund_coins') })));
        } else if (o.refundable) {
            staffTools.push(h('form', { class: 'inline', id: 'refund-form', on: { submit: (e) => {
                e.preventDefault();
                const minor = parseMoney(amount.value);
                if (Number.isNaN(minor)) {
                    showError(formBox, new Error(t('bad_amount')));
                    return;
                }
                act('/api/v1/orders/' + o.id + '/refund', 'POST', minor === null ? {} : { amount_minor: minor }, (r) => t('refund_sent', { id: r.refund_id }));
            } } }, h('label', { for: 'refund-amount', text: t('refund_amount') }), amount, h('button', { type: 'submit', class: 'danger', text: t('refund') })));
        }
        detail.append(h('h2', { id: 'order-title', text: t('order') + ' ' + o.number }),
            h('dl', { class: 'facts' },
                h('dt', { text: t('owner') }), h('dd', { id: 'order-owner' }, person(o.owner, o.people)),
                h('dt', { text: t('status') }), h('dd', { id: 'order-status' }, t('o_' + o.status), o.disputed ? h('span', { class: 'badge danger', text: t('disputed') }) : null),
                h('dt', { text: t('total') }), h('dd', { id: 'order-total', text: money(o.total_minor, o.currency) }),
                h('dt', { text: t('refunded') }), h('dd', { id: 'order-refunded', text: money(o.refunded_minor, o.currency) }),
                h('dt', { text: t('tracking') }), h('dd', { id: 'order-tracking', text: o.tracking.code ? o.tracking.carrier + ' · ' + o.tracking.code : '–' }),
                h('dt', { text: t('invoice') }), h('dd', null, o.invoice_url ? h('a', { href: o.invoice_url, rel: 'noopener noreferrer', target: '_blank', text: t('invoice') }) : '–')),
            h('table', { class: 'compact', id: 'order-items' }, h('caption', { text: t('items') }),
                h('thead', null, h('tr', null, ['name', 'quantity', 'unit_price'].map((k) => h('th', { scope: 'col', text: t(k) })))),
                h('tbody', null, o.items.map((i) => h('tr', null, h('td', { text: i.name }), h('td', { class: 'num', text: String(i.quantity) }), h('td', { class: 'num', text: money(i.unit_price_minor, o.currency) }))))),
            formBox, ...staffTools,
            h('h3', { text: t('timeline') }),
            h('ol', { class: 'history', id: 'order-timeline' }, o.events.map((e) => h('li', null, when(e.at) + ' — ' + (e.to ? t('o_' + e.to) : '') + (e.note ? ' — ' + e.note : '') + ' (',
                person(e.actor, o.people), ')'))));
    };
    const refresh = async () => {
        try {
            await loadList();
            await showOrder();
        } catch (err) {
            showError(box, err);
        }
    };
    m.append(h('form', { class: 'filters', on: { submit: (e) => { e.preventDefault(); refresh(); } } },
        statusLabel, statusFilter, h('label', { for: 'o-member', text: t('member_id') }), member, h('button', { type: 'submit', text: t('filter') })),
        box, h('div', { class: 'split' }, list, detail));
    await refresh();
    window.setInterval(refresh, 5000);
}

// ---------------------------------------------------------------------------------------------------
// Logs.

async function logsPage() {
    const m = main(t('logs'));
    const box = alertBox();
    const [kindLabel, kind] = select('l-kind', t('kind'), ['security', 'audit'], true, '');
    const actor = h('input', { id: 'l-actor', maxlength: 100, autocomplete: 'off' });
    const text = h('input', { id: 'l-text', type: 'search', maxlength: 100 });
    const body = h('tbody');
    const more = h('button', { type: 'button', id: 'logs-more', hidden: true, text: t('more') });
    let before = '';
    let loading = null;
    // A changed setting is named by its label, as on the Settings page, not by its key.
    const settingNames = api('/admin-panel/api/settings')
        .then((s) => Object.fromEntries(s.runtime.map((x) => [x.key, (x.label && x.label[LANG]) || x.key])))
        .catch(() => ({}));
    // One load at a time; « Plus » asks for the page after the last row shown, and only when there is one.
    const load = (append) => {
        if (append && !before) return loading;
        if (loading) return append ? loading : loading.then(() => load(false));
        more.disabled = true;
        loading = (async () => {
            try {
                const p = new URLSearchParams();
                if (kind.value) p.set('kind', kind.value);
                if (actor.value.trim()) {
                    // The actor by name or id; a name nobody (or several people) answers to is said, not sent.
                    const who = await findMember(actor.value);
                    if (who.refusal) {
                        refuse(box, who.refusal, actor);
                        return;
                    }
                    p.set('actor', who.id);
                }
                if (text.value.trim()) p.set('text', text.value.trim());
                if (append) p.set('before', before);
                const data = await api('/admin-panel/api/logs?' + p.toString());
                const names = await settingNames;
                if (!append) clear(body);
                for (const r of data.items) {
                    // A target that is someone (a member blocked, a session's owner) shows as that person.
                    const target = r.user ? person(r.user, data.people) : r.action === 'setting.changed' ? names[r.target] || r.target : r.target;
                    body.append(h('tr', { 'data-id': r.id }, h('td', { text: when(r.at) }), h('td', { text: t(r.kind) }), h('td', null, person(r.actor, data.people)),
                        h('td', { title: r.action, text: actionText(r.action) }), h('td', null, target), h('td', { text: r.detail }), h('td', { text: r.ip })));
                }
                before = data.next_before || '';
                more.hidden = !before;
            } catch (err) {
                showError(box, err);
            } finally {
                more.disabled = false;
                loading = null;
            }
        })();
        return loading;
    };
    more.addEventListener('click', () => load(true));
    m.append(h('form', { class: 'filters', on: { submit: (e) => { e.preventDefault(); load(false); } } }, kindLabel, kind,
        h('label', { for: 'l-actor', text: t('actor') }), actor, h('label', { for: 'l-text', text: t('text') }), text, h('button', { type: 'submit', text: t('filter') })),
    box, h('div', { id: 'logs-wrap', class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('logs') },
        h('table', { id: 'logs-table' }, h('thead', null, h('tr', null, ['at', 'kind', 'actor', 'action', 'target', 'detail', 'ip'].map((k) => h('th', { scope: 'col', text: t(k) })))), body)), more);
    await load(false);
}

// ---------------------------------------------------------------------------------------------------
// Settings and sessions.

/** A section's title: from TEXT when it has one, else the section's own name. */
const sectionTitle = (section) => (Object.hasOwn(TEXT[LANG], 's_section_' + section) ? t('s_section_' + section) : section);

/** One runtime setting as a form: its label, help, unit and value ("unlimited" and euros, never -1 or cents). */
function settingForm(s, admin, box, render) {
    const id = 'setting-' + s.key.replace(/[^a-z0-9]/g, '-');
    const label = s.label[LANG] || s.key;
    const euros = s.unit === 'euros';
    const shown = (v) => (euros ? moneyInput(v) : String(v));
    let input;
    let unlimited = null;
    if (s.kind === 'boolean') {
        input = h('select', { id, disabled: !admin }, [['true', t('s_on')], ['false', t('s_off')]].map(([v, text]) => h('option', { value: v, text, selected: v === s.value })));
    } else {
        const isUnlimited = s.unlimited !== null && String(s.unlimited) === s.value;
        input = h('input', { id, inputmode: euros ? 'decimal' : 'numeric', maxlength: 12, size: 8, value: isUnlimited ? '' : shown(s.value), disabled: !admin || isUnlimited, 'aria-describedby': id + '-help' });
        if (s.unlimited !== null) {
            unlimited = h('input', { id: id + '-unlimited', type: 'checkbox', checked: isUnlimited, disabled: !admin });
            unlimited.addEventListener('change', () => { input.disabled = unlimited.checked; });
        }
    }
    const unit = s.kind === 'integer' && t('s_unit_' + s.unit) ? h('span', { class: 'unit', text: t('s_unit_' + s.unit) }) : null;
    const value = () => {
        if (s.kind === 'boolean') return input.value;
        if (unlimited && unlimited.checked) return String(s.unlimited);
        const n = euros ? parseMoney(input.value) : wholeNumber(input.value);
        if (n === null || Number.isNaN(n) || n < s.min || n > s.max) return null;
        return String(n);
    };
    return h('form', { class: 'setting', 'data-key': s.key, novalidate: true, on: { submit: async (e) => {
        e.preventDefault();
        const v = value();
        if (v === null) return refuse(box, t(euros ? 'bad_setting_euros' : 'bad_setting', { label, min: shown(s.min), max: shown(s.max) }), input);
        try {
            render(await api('/admin-panel/api/settings', { method: 'POST', body: { key: s.key, value: v } }));
            status(box, t('s_saved', { label }));
        } catch (err) {
            showError(box, err);
        }
        return true;
    } } },
    h('label', { for: id, class: 'setting-label', text: label }),
    h('p', { class: 'muted help', id: id + '-help', text: s.help[LANG] || '' }),
    h('div', { class: 'inline' }, input, unit,
        unlimited ? [unlimited, h('label', { for: id + '-unlimited', text: t('s_unlimited') })] : null,
        admin ? h('button', { type: 'submit', text: t('save') }) : null,
        h('span', { class: 'muted', text: s.overridden ? t('s_changed') : t('s_default') })));
}

async function settingsPage() {
    const m = main(t('settings'));
    const box = h('p', { class: 'alert', role: 'status', id: 'settings-message', hidden: true });
    m.append(box);
    const admin = me.role === 'admin' || me.role === 'operator';
    const runtime = h('div', { id: 'runtime-settings' });
    const effective = h('div', { id: 'effective-table' });
    const render = (data) => {
        clear(runtime);
        if (!admin) runtime.append(h('p', { class: 'muted', text: t('admins_only') }));
        const sections = [...new Set(data.runtime.map((s) => s.section))];
        for (const section of sections) {
            runtime.append(h('fieldset', { class: 'settings-section', 'data-section': section }, h('legend', { text: sectionTitle(section) }),
                data.runtime.filter((s) => s.section === section).map((s) => settingForm(s, admin, box, render))));
        }
        clear(effective);
        effective.append(h('p', { class: 'muted' }, t('s_read_only_help') + ' ', h('a', { href: '/admin-panel/docs', text: t('s_docs_link') })));
        const groups = [...new Set(data.effective.map((e) => e.section))];
        for (const section of groups) {
            const rows = data.effective.filter((e) => e.section === section && !e.runtime);
            if (!rows.length) continue;
            effective.append(h('table', { class: 'compact effective', 'data-section': section }, h('caption', { text: sectionTitle(section) }),
                h('thead', null, h('tr', null, h('th', { scope: 'col', text: t('key') }), h('th', { scope: 'col', text: t('value') }))),
                h('tbody', null, rows.map((e) => h('tr', null, h('th', { scope: 'row' }, h('code', { text: e.key })), h('td', { text: e.value }))))));
        }
    };
    m.append(h('section', { 'aria-labelledby': 's-runtime' }, h('h2', { id: 's-runtime', text: t('runtime_settings') }), runtime));
    if (admin) {
        const sessions = h('tbody');
        const loadSessions = async () => {
            const data = await api('/admin-panel/api/sessions');
            clear(sessions);
            for (const s of data.items) {
                sessions.append(h('tr', null, h('td', null, person(s.user, data.people, s.name)), h('td', { text: roleName(s.role) }), h('td', { text: s.ip }), h('td', { text: when(s.last_seen_at) }),
                    h('td', null, s.current ? t('current') : h('button', { type: 'button', text: t('end'), on: { click: async () => {
                        await api('/admin-panel/api/sessions/' + encodeURIComponent(s.ref) + '/end', { method: 'POST' });
                        await loadSessions();
                    } } }))));
            }
        };
        m.append(h('section', { 'aria-labelledby': 's-sessions' }, h('h2', { id: 's-sessions', text: t('sessions') }),
            h('table', { id: 'sessions-table' }, h('thead', null, h('tr', null, ['name', 'role', 'ip', 'last_seen', 'end'].map((k) => h('th', { scope: 'col', text: t(k) })))), sessions)));
        await loadSessions();
    }
    m.append(h('section', { 'aria-labelledby': 's-effective' }, h('h2', { id: 's-effective', text: t('s_read_only') }), effective));
    try {
        render(await api('/admin-panel/api/settings'));
    } catch (err) {
        showError(box, err);
    }
}

// ---------------------------------------------------------------------------------------------------
// The business: products, promotions and plans. Every form checks its values before sending them, with
// a message from TEXT, and a refusal from the server changes nothing and is shown by showError, in the panel's
// language when TEXT knows its key, else as the server worded it.

/** A refusal found before sending: shown, the field focused, nothing sent. */
function refuse(box, message, field) {
    box.hidden = false;
    box.className = 'alert';
    box.textContent = message;
    if (field) field.focus();
    return false;
}

/** A whole number typed in a field, or NaN. */
const wholeNumber = (text) => (/^\s*\d{1,9}\s*$/.test(text) ? Number(text.trim()) : NaN);

/** A labelled field in a stacked form. */
function field(id, label, input) {
    return h('div', { class: 'field' }, h('label', { for: id, text: label }), input);
}

async function productsPage() {
    const m = main(t('products'));
    const box = h('p', { class: 'alert', role: 'status', id: 'product-message', hidden: true });
    const list = h('div', { id: 'product-list' });
    const name = h('input', { id: 'p-name', maxlength: 100 });
    const description = h('textarea', { id: 'p-description', maxlength: 1000, rows: 3 });
    const price = h('input', { id: 'p-price', inputmode: 'decimal', maxlength: 12, size: 10 });
    const free = h('input', { id: 'p-free', type: 'checkbox' });
    const coins = h('input', { id: 'p-coins', inputmode: 'numeric', maxlength: 8, size: 8 });
    const stock = h('input', { id: 'p-stock', inputmode: 'numeric', maxlength: 7, size: 8 });
    const category = h('input', { id: 'p-category', maxlength: 40, value: 'general' });
    const image = h('input', { id: 'p-image', type: 'url', maxlength: 500 });
    const active = h('input', { id: 'p-active', type: 'checkbox', checked: true });
    const preview = h('img', { id: 'p-preview', class: 'preview', alt: t('p_preview'), hidden: true, width: 120, height: 120 });
    const title = h('h2', { id: 'p-form-title', text: t('p_new') });
    const submit = h('button', { type: 'submit', class: 'primary', id: 'p-submit', text: t('p_create') });
    const cancel = h('button', { type: 'button', id: 'p-cancel', hidden: true, text: t('p_cancel') });
    let editing = null;

    const showPreview = () => {
        const url = image.value.trim();
        preview.hidden = !url.startsWith('https://');
        if (!preview.hidden) preview.src = url;
        else preview.removeAttribute('src');
    };
    image.addEventListener('input', showPreview);
    const fill = (p) => {
        editing = p;
        title.textContent = p ? t('p_edit', { name: p.name }) : t('p_new');
        submit.textContent = p ? t('p_save') : t('p_create');
        cancel.hidden = !p;
        name.value = p ? p.name : '';
        description.value = p ? p.description : '';
        const coinsOnly = Boolean(p && p.price_minor === 0 && p.coin_price !== null);
        price.value = p && !coinsOnly ? moneyInput(p.price_minor) : '';
        free.checked = Boolean(p && p.price_minor === 0 && !coinsOnly);
        coins.value = p && p.coin_price !== null ? String(p.coin_price) : '';
        stock.value = p && p.stock !== null ? String(p.stock) : '';
        category.value = p ? p.category : 'general';
        image.value = p ? p.image_url : '';
        active.checked = p ? p.active : true;
        showPreview();
    };
    const load = async () => {
        const data = await api('/api/v1/products?limit=100');
        clear(list);
        if (!data.items.length) {
            list.append(h('p', { class: 'muted', text: t('p_none') }));
            return;
        }
        list.append(h('table', { id: 'products-table' },
            h('thead', null, h('tr', null, ['p_image_col', 'p_name', 'p_price_col', 'p_coins_col', 'p_stock_col', 'p_category', 'p_state', 'action'].map((k) => h('th', { scope: 'col', text: t(k) })))),
            h('tbody', null, data.items.map((p) => h('tr', { 'data-id': p.id, 'data-name': p.name },
                h('td', null, p.image_url.startsWith('https://') ? h('img', { class: 'thumb', src: p.image_url, alt: '', width: 40, height: 40 }) : '–'),
                h('td', { text: p.name }),
                h('td', { class: 'num', text: p.price_minor !== 0 ? money(p.price_minor, p.currency) : p.coin_price !== null ? t('p_coins_only') : t('p_free_price') }),
                h('td', { class: 'num coins', text: p.coin_price === null ? '–' : coinsText(p.coin_price) }),
                h('td', { class: 'num', text: p.stock === null ? t('p_unlimited') : String(p.stock) }),
                h('td', { text: p.category }),
                h('td', { text: p.active ? t('p_on_sale') : t('p_inactive') }),
                h('td', null, h('span', { class: 'actions' },
                    h('button', { type: 'button', class: 'edit', text: t('p_edit_button'), on: { click: () => { fill(p); name.focus(); } } }),
                    h('button', { type: 'button', class: p.active ? 'toggle danger' : 'toggle', text: p.active ? t('p_deactivate') : t('p_reactivate'), on: { click: async () => {
                        try {
                            await api('/api/v1/products/' + p.id, { method: 'PATCH', body: { active: !p.active } });
                            status(box, t(p.active ? 'p_deactivated' : 'p_reactivated', { name: p.name }));
                            await load();
                        } catch (err) {
                            showError(box, err);
                        }
                    } } }))))))));
    };
    const form = h('form', { class: 'stack', id: 'product-form', novalidate: true, on: { submit: async (e) => {
        e.preventDefault();
        // A coin price alone (no euro price) sells the product for coins only, which is not free.
        const coinPrice = coins.value.trim() === '' ? null : wholeNumber(coins.value);
        const minor = price.value.trim() === '' && coinPrice ? 0 : parseMoney(price.value);
        const stockValue = stock.value.trim() === '' ? null : wholeNumber(stock.value);
        if (!name.value.trim() || name.value.length > 100) return refuse(box, t('bad_name'), name);
        if (Number.isNaN(coinPrice) || coinPrice === 0 || coinPrice > 10000000) return refuse(box, t('bad_coins'), coins);
        if (minor === null || Number.isNaN(minor)) return refuse(box, t('bad_price'), price);
        if (minor === 0 && coinPrice === null && !free.checked) return refuse(box, t('e_shop.free_unconfirmed'), free);
        if (Number.isNaN(stockValue) || stockValue > 1000000) return refuse(box, t('bad_stock'), stock);
        if (!category.value.trim()) return refuse(box, t('bad_category'), category);
        if (image.value.trim() && !image.value.trim().startsWith('https://')) return refuse(box, t('bad_image'), image);
        const body = { name: name.value.trim(), description: description.value, price_minor: minor, stock: stockValue,
            category: category.value.trim(), image_url: image.value.trim(), active: active.checked, free: minor === 0 && free.checked,
            coin_price: coinPrice };
        try {
            const saved = editing
                ? await api('/api/v1/products/' + editing.id, { method: 'PATCH', body })
                : await api('/api/v1/products', { method: 'POST', body });
            status(box, t(editing ? 'p_saved' : 'p_created', { name: saved.name }));
            fill(null);
            await load();
        } catch (err) {
            showError(box, err);
        }
        return true;
    } } }, title,
    field('p-name', t('p_name'), name), field('p-price', t('p_price'), price),
    h('div', { class: 'inline' }, free, h('label', { for: 'p-free', text: t('p_free') })),
    field('p-coins', t('p_coins'), coins),
    field('p-stock', t('p_stock'), stock), field('p-category', t('p_category'), category),
    field('p-image', t('p_image'), image), preview, field('p-description', t('p_description'), description),
    h('div', { class: 'inline' }, active, h('label', { for: 'p-active', text: t('p_active') })),
    h('div', { class: 'actions' }, submit, cancel));
    cancel.addEventListener('click', () => fill(null));
    m.append(box, list, form);
    try {
        await load();
    } catch (err) {
        showError(box, err);
    }
}

/** The plans beyond Free (which can be granted), or only those on sale (which can be promoted). */
async function paidPlans(onSale) {
    const catalog = await api('/api/v1/plans');
    return catalog.items.filter((p) => p.billing !== 'free' && (!onSale || p.for_sale)).map((p) => p.id);
}

async function promotionsPage() {
    const m = main(t('promotions'));
    const box = h('p', { class: 'alert', role: 'status', id: 'promo-message', hidden: true });
    const list = h('div', { id: 'promo-list' });
    const ids = await paidPlans(true).catch(() => []);
    const [planLabel, plan] = select('pr-plan', t('pr_plan'), ids.map((id) => [id, planName(id)]), false, ids[0]);
    const percent = h('input', { id: 'pr-percent', inputmode: 'numeric', maxlength: 3, size: 4 });
    const duration = h('input', { id: 'pr-duration', inputmode: 'numeric', maxlength: 4, size: 5, value: '2' });
    const [unitLabel, unit] = select('pr-unit', t('pr_duration'), [['days', t('pr_unit_days')], ['hours', t('pr_unit_hours')]], false, 'days');
    unitLabel.classList.add('visually-hidden');
    const load = async () => {
        const data = await api('/api/v1/promotions?limit=50');
        clear(list);
        if (!data.items.length) {
            list.append(h('p', { class: 'muted', text: t('pr_none') }));
            return;
        }
        list.append(h('table', { id: 'promotions-table' },
            h('thead', null, h('tr', null, ['pr_code', 'pr_plan', 'pr_percent', 'pr_until', 'pr_uses', 'pr_state', 'action'].map((k) => h('th', { scope: 'col', text: t(k) })))),
            h('tbody', null, data.items.map((p) => h('tr', { 'data-code': p.code },
                h('td', null, h('code', { text: p.code })), h('td', { text: planName(p.plan) }), h('td', { class: 'num', text: p.percent_off + ' %' }),
                h('td', { text: when(p.expires_at) }), h('td', { class: 'num uses', text: String(p.uses) }),
                h('td', { class: 'state', text: p.active ? t('pr_active') : t('pr_over') }),
                h('td', null, p.active ? h('button', { type: 'button', class: 'danger expire', text: t('pr_expire'), on: { click: async () => {
                    try {
                        const ended = await api('/api/v1/promotions/' + p.id + '/expire', { method: 'POST' });
                        status(box, t('pr_expired', { code: ended.code }));
                        await load();
                    } catch (err) {
                        showError(box, err);
                    }
                } } }) : null))))),
        h('p', { class: 'muted', text: t('pr_uses_note') }));
    };
    const form = h('form', { class: 'filters', id: 'promo-form', novalidate: true, on: { submit: async (e) => {
        e.preventDefault();
        const pct = wholeNumber(percent.value);
        const amount = wholeNumber(duration.value);
        if (Number.isNaN(pct) || pct < 1 || pct > 100) return refuse(box, t('bad_percent'), percent);
        if (Number.isNaN(amount) || amount < 1) return refuse(box, t('bad_duration'), duration);
        const minutes = amount * (unit.value === 'days' ? 1440 : 60);
        try {
            const created = await api('/api/v1/promotions', { method: 'POST', body: { plan: plan.value, percent_off: pct, duration_minutes: minutes } });
            status(box, t('pr_created', { code: created.code }));
            percent.value = '';
            await load();
        } catch (err) {
            showError(box, err);
        }
        return true;
    } } }, planLabel, plan, h('label', { for: 'pr-percent', text: t('pr_percent') }), percent,
    h('label', { for: 'pr-duration', text: t('pr_duration') }), duration, unitLabel, unit,
    h('button', { type: 'submit', class: 'primary', text: t('pr_create') }));
    m.append(h('h2', { text: t('pr_new') }), form, box, list);
    try {
        await load();
    } catch (err) {
        showError(box, err);
    }
}

async function plansPage() {
    const m = main(t('plans'));
    const box = h('p', { class: 'alert', role: 'status', id: 'plan-message', hidden: true });
    const holders = h('div', { id: 'plan-holders' });
    const ids = await paidPlans(false).catch(() => []);
    const member = h('input', { id: 'g-member', maxlength: 100, size: 20, autocomplete: 'off' });
    const [planLabel, plan] = select('g-plan', t('plan'), ids.map((id) => [id, planName(id)]), false, ids[0]);
    const duration = h('input', { id: 'g-duration', inputmode: 'numeric', maxlength: 4, size: 5, value: '7' });
    const [unitLabel, unit] = select('g-unit', t('pl_duration'), [['days', t('pr_unit_days')], ['hours', t('pr_unit_hours')]], false, 'days');
    unitLabel.classList.add('visually-hidden');
    const reason = h('input', { id: 'g-reason', maxlength: 200, size: 30 });
    const memberName = (row, people) => (people && people[row.user] && people[row.user].name) || row.name || t('unknown_member');
    const until = (g) => when(g.expires_at || g.grace_until || g.period_end);
    const load = async () => {
        clear(holders);
        for (const id of ids) {
            const data = await api('/api/v1/plans/' + encodeURIComponent(id) + '/members');
            const section = h('section', { 'aria-labelledby': 'holders-' + id, 'data-plan': id }, h('h2', { id: 'holders-' + id, text: t('pl_holders', { plan: planName(id) }) }));
            if (!data.items.length) section.append(h('p', { class: 'muted', text: t('pl_none') }));
            else {
                section.append(h('table', { class: 'holders' },
                    h('thead', null, h('tr', null, ['owner', 'pl_state', 'pl_until', 'pl_note', 'action'].map((k) => h('th', { scope: 'col', text: t(k) })))),
                    h('tbody', null, data.items.map((row) => {
                        const why = h('input', { id: 'revoke-' + row.grant.id, maxlength: 200, size: 18 });
                        return h('tr', { 'data-user': row.user },
                            h('td', null, person(row.user, data.people, row.name)), h('td', { class: 'state', text: t('hs_' + row.state) }), h('td', { text: row.state === 'for_life' ? '–' : until(row.grant) }),
                            h('td', { class: 'reason' }, row.grant.reason || '', row.grant.granted_by ? h('span', { class: 'muted' }, ' — ' + t('pl_by') + ' ', person(row.grant.granted_by, data.people)) : null),
                            h('td', null, row.grant.kind === 'temporary' ? h('form', { class: 'inline revoke', novalidate: true, on: { submit: async (e) => {
                                e.preventDefault();
                                if (!why.value.trim()) return refuse(box, t('bad_reason'), why);
                                try {
                                    await api('/api/v1/members/' + row.user + '/plan/grants/' + row.grant.id + '/revoke', { method: 'POST', body: { reason: why.value.trim() } });
                                    status(box, t('pl_revoked', { plan: planName(id), member: memberName(row, data.people) }));
                                    await load();
                                } catch (err) {
                                    showError(box, err);
                                }
                                return true;
                            } } }, h('label', { for: 'revoke-' + row.grant.id, class: 'visually-hidden', text: t('pl_revoke_reason') }), why,
                            h('button', { type: 'submit', class: 'danger', text: t('pl_revoke') })) : null));
                    }))));
            }
            holders.append(section);
        }
    };
    const form = h('form', { class: 'filters', id: 'grant-form', novalidate: true, on: { submit: async (e) => {
        e.preventDefault();
        const typed = member.value.trim();
        const amount = wholeNumber(duration.value);
        const hours = amount * (unit.value === 'days' ? 24 : 1);
        let who;
        try {
            who = await findMember(typed);
        } catch (err) {
            return showError(box, err);
        }
        if (who.refusal) return refuse(box, who.refusal, member);
        const [user, shown] = [who.id, who.name];
        if (Number.isNaN(amount) || hours < 1 || hours > 24 * 366) return refuse(box, t('bad_grant_duration'), duration);
        if (!reason.value.trim()) return refuse(box, t('bad_reason'), reason);
        try {
            const g = await api('/api/v1/members/' + user + '/plan/grants', { method: 'POST', body: { plan: plan.value, duration_hours: hours, reason: reason.value.trim() } });
            status(box, t('pl_granted', { plan: planName(g.plan), member: shown, d: day(g.expires_at) }));
            reason.value = '';
            await load();
        } catch (err) {
            showError(box, err);
        }
        return true;
    } } }, h('label', { for: 'g-member', text: t('pl_member') }), member, planLabel, plan,
    h('label', { for: 'g-duration', text: t('pl_duration') }), duration, unitLabel, unit,
    h('label', { for: 'g-reason', text: t('pl_reason') }), reason, h('button', { type: 'submit', class: 'primary', text: t('pl_give') }));
    m.append(h('h2', { text: t('pl_grant') }), form, box, holders);
    try {
        await load();
    } catch (err) {
        showError(box, err);
    }
}

// ---------------------------------------------------------------------------------------------------
// Giveaways: the list (status, prize, entrants, winners by name, end), a giveaway's detail with its proof, its
// return (cost, members gained, their revenue, a chart per day over the giveaway and the 30 days after) and
// staff's moves (end now, cancel, draw again: each asks to confirm); the coin leaderboards beside it.

/** A button that asks before it acts: a first click shows the question (by default "label: confirm?") with Yes and
 *  No; Yes runs act. */
function confirmed(id, label, act, question) {
    const holder = h('span', { class: 'confirm', id: id + '-holder' });
    const ask = () => {
        clear(holder);
        holder.append(h('span', { role: 'status', text: question || t('gw_sure', { action: label }) }), ' ',
            h('button', { type: 'button', class: 'danger', id: id + '-yes', text: t('gw_yes'), on: { click: act } }), ' ',
            h('button', { type: 'button', id: id + '-no', text: t('gw_keep'), on: { click: idle } }));
        holder.querySelector('button').focus();
    };
    const idle = () => {
        clear(holder);
        holder.append(h('button', { type: 'button', class: 'danger', id, text: label, on: { click: ask } }));
    };
    idle();
    return holder;
}

/** The coin leaderboards (week, month, all time): rank, member by name, coins earned. */
async function coinLeaders(container) {
    const periods = [['week', t('gw_week')], ['month', t('gw_month')], ['all', t('gw_all')]];
    const [label, picker] = select('leaders-period', t('gw_period'), periods, false, 'week');
    const table = h('div', { id: 'coin-leaders' });
    const load = async () => {
        const data = await api('/api/v1/coins/leaderboard?period=' + encodeURIComponent(picker.value));
        clear(table);
        if (!data.leaders.length) {
            table.append(h('p', { class: 'muted', text: t('gw_no_leaders') }));
            return;
        }
        table.append(h('table', { class: 'compact' },
            h('thead', null, h('tr', null, ['gw_rank', 'name', 'gw_earned'].map((k) => h('th', { scope: 'col', text: t(k) })))),
            h('tbody', null, data.leaders.map((r) => h('tr', null, h('td', { class: 'num', text: String(r.rank) }), h('td', null, person(r.user, data.people)),
                h('td', { class: 'num', text: r.earned.toLocaleString(LANG === 'fr' ? 'fr-FR' : 'en-GB') }))))));
    };
    picker.addEventListener('change', () => load().catch(() => {}));
    container.append(h('section', { 'aria-labelledby': 'leaders-title' }, h('h2', { id: 'leaders-title', text: t('gw_leaders') }),
        h('form', { class: 'filters', on: { submit: (e) => e.preventDefault() } }, label, picker), table));
    await load();
}

async function giveawaysPage() {
    const m = main(t('giveaways'));
    const box = alertBox();
    const list = h('div', { id: 'giveaways-list' });
    const detail = h('section', { id: 'giveaway', 'aria-live': 'polite', 'aria-label': t('giveaways') }, h('p', { class: 'muted', text: t('gw_select') }));
    const winnersOf = (g, people) => (g.winners.length ? g.winners.map((w, i) => [i ? ', ' : '', person(w.user, people)]).flat() : [g.status === 'ended' ? t('gw_nobody') : '–']);
    const loadList = async () => {
        const data = await api('/api/v1/giveaways?limit=50');
        clear(list);
        if (!data.items.length) {
            list.append(h('p', { text: t('gw_none') }));
            return;
        }
        list.append(h('table', { id: 'giveaways-table' },
            h('thead', null, h('tr', null, ['gw_prize', 'status', 'gw_entrants', 'gw_winners', 'gw_ends'].map((k) => h('th', { scope: 'col', text: t(k) })))),
            h('tbody', null, data.items.map((g) => h('tr', { 'data-giveaway': String(g.id) },
                h('td', null, h('button', { type: 'button', class: 'link', text: g.prize, on: { click: () => show(g.id).catch((err) => showError(box, err)) } })),
                h('td', { class: 'state', text: t('gw_' + g.status) }), h('td', { class: 'num', text: String(g.entries) }),
                h('td', { class: 'winners' }, ...winnersOf(g, data.people)), h('td', { text: when(g.ended_at || g.ends_at) }))))));
    };
    const show = async (id) => {
        const g = await api('/api/v1/giveaways/' + id);
        const s = await api('/api/v1/giveaways/' + id + '/stats');
        clear(detail);
        const formBox = alertBox();
        const act = (path, done) => async () => {
            try {
                await api('/api/v1/giveaways/' + id + '/' + path, { method: 'POST' });
                await loadList();
                await show(id);
                status(detail.querySelector('.alert'), t(done, { id }));
            } catch (err) {
                showError(formBox, err);
            }
        };
        const tools = [];
        if (g.status === 'running') {
            tools.push(confirmed('gw-end', t('gw_end_now'), act('end', 'gw_done_end')), ' ', confirmed('gw-cancel', t('gw_cancel'), act('cancel', 'gw_done_cancel')));
        } else if (g.status === 'ended') {
            tools.push(confirmed('gw-reroll', t('gw_reroll'), act('reroll', 'gw_done_reroll')));
        }
        const cost = h('input', { id: 'gw-cost', inputmode: 'decimal', maxlength: 13, size: 10, value: g.prize_cost_cents ? moneyInput(g.prize_cost_cents) : '' });
        const costForm = h('form', { class: 'inline', id: 'gw-cost-form', novalidate: true, on: { submit: async (e) => {
            e.preventDefault();
            const v = cost.value.trim().replace(/\s|€|EUR/gi, '').replace(',', '.');
            const minor = /^\d{1,10}(\.\d{1,2})?$/.test(v) ? Math.round(Number(v) * 100) : NaN;
            if (Number.isNaN(minor)) return refuse(formBox, t('e_giveaways.bad_cost'), cost);
            try {
                const saved = await api('/api/v1/giveaways/' + id, { method: 'PATCH', body: { prize_cost_cents: minor } });
                await show(id);
                status(detail.querySelector('.alert'), t('gw_cost_saved', { cost: money(saved.prize_cost_cents, s.currency) }));
            } catch (err) {
                showError(formBox, err);
            }
            return true;
        } } }, h('label', { for: 'gw-cost', text: t('gw_cost_label') }), cost, h('button', { type: 'submit', text: t('gw_set_cost') }));
        const proof = g.status === 'ended'
            ? h('a', { id: 'gw-proof', href: '/api/v1/giveaways/' + id + '/proof', download: 'giveaway-' + id + '-proof.json', text: t('gw_proof') })
            : t(g.status === 'cancelled' ? 'gw_no_proof' : 'gw_proof_later');
        const cur = (minor) => money(minor, s.currency);
        detail.append(h('h2', { id: 'giveaway-title', text: t('gw_title', { id, prize: g.prize }) }),
            h('dl', { class: 'facts' },
                h('dt', { text: t('status') }), h('dd', { id: 'gw-status', text: t('gw_' + g.status) }),
                h('dt', { text: t('gw_entrants') }), h('dd', { id: 'gw-entrants', text: String(g.entries) }),
                h('dt', { text: t('gw_winners') }), h('dd', { id: 'gw-winners' }, ...winnersOf(g, g.people)),
                h('dt', { text: t('gw_starts') }), h('dd', { text: when(g.starts_at) }),
                h('dt', { text: t('gw_ends') }), h('dd', { text: when(g.ended_at || g.ends_at) }),
                h('dt', { text: t('gw_proof') }), h('dd', null, proof)),
            h('details', { class: 'discord-id' }, h('summary', { text: t('gw_hash') }), h('code', { text: g.seed_hash })),
            formBox, h('p', { class: 'actions' }, ...tools),
            h('h3', { text: t('gw_roi') }),
            s.open ? h('p', { class: 'notice', id: 'gw-so-far', text: t('gw_so_far', { d: when(s.counted_until) }) }) : '',  // append writes null as text
            h('dl', { class: 'facts', id: 'gw-roi' },
                h('dt', { text: t('gw_window') }), h('dd', { text: t('gw_window_text', { from: when(s.from), to: when(s.to) }) }),
                h('dt', { text: t('gw_cost') }), h('dd', { id: 'gw-roi-cost', text: s.prize_cost_minor ? cur(s.prize_cost_minor) : t('gw_no_cost') }),
                h('dt', { text: t('gw_gained') }), h('dd', { id: 'gw-roi-gained', text: t('gw_gained_detail', { n: s.members.gained, joined: s.members.joined, left: s.members.left }) }),
                h('dt', { text: t('gw_revenue') }), h('dd', { id: 'gw-roi-revenue', text: t('gw_revenue_detail', { total: cur(s.revenue.total_minor), shop: cur(s.revenue.shop_minor), plans: cur(s.revenue.plans_minor) }) }),
                h('dt', { text: t('gw_paying') }), h('dd', { text: String(s.paying) }),
                h('dt', { text: t('gw_net') }), h('dd', { id: 'gw-roi-net', text: cur(s.net_minor) + (s.roi_percent === null ? '' : ' · ' + t('gw_roi_pct') + ' ' + s.roi_percent + ' %') }),
                h('dt', { text: t('gw_per_member') }), h('dd', { text: s.cost_per_member_minor === null ? '–' : cur(s.cost_per_member_minor) })),
            costForm);
        const charts = h('div', { class: 'charts', id: 'gw-chart' });
        detail.append(charts);
        const days = s.days.map((d) => d.day);
        chart(charts, t('gw_chart'), days, [
            { label: t('joins'), values: s.days.map((d) => d.joins) }, { label: t('leaves'), values: s.days.map((d) => d.leaves) },
            { label: t('gw_revenue_day') + ' (' + s.currency + ')', values: s.days.map((d) => (d.revenue_minor === null ? null : d.revenue_minor / 100)) }])();
    };
    m.append(box, h('div', { class: 'split' }, list, detail));
    try {
        await loadList();
        const wanted = new URLSearchParams(window.location.search).get('id');
        if (wanted && /^[0-9]{1,18}$/.test(wanted)) await show(wanted);
        await coinLeaders(m);
    } catch (err) {
        showError(box, err);
    }
}

// ---------------------------------------------------------------------------------------------------
// Pre-orders: the items (status, release in the community's time and a countdown in words, tiers), the form that
// creates or edits one with its tiers (any tiers before the first sale, then only more seats), open, close and cancel
// (after a confirmation that says everyone is refunded), and per item: its tiers, revenue, the seats sold per tier
// over time, and its buyers by name with a CSV export.

const MINUTE_MS = 60000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** The community's time zone (the server's [community] time_zone), for dates typed and shown on this page. */
const communityZone = () => (me && typeof me.time_zone === 'string' && me.time_zone ? me.time_zone : 'UTC');

/** An instant's wall-clock fields in the community's zone: [year, month, day, hour, minute]. */
function zoneFields(ms) {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: communityZone(), hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
        hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(ms));
    return ['year', 'month', 'day', 'hour', 'minute'].map((type) => Number(parts.find((p) => p.type === type).value));
}

/** "2026-12-25T18:00" (a datetime-local field) in the community's zone, for an instant. */
function localInput(ms) {
    const [y, mo, d, hh, mi] = zoneFields(ms);
    const two = (n) => String(n).padStart(2, '0');
    return `${y}-${two(mo)}-${two(d)}T${two(hh)}:${two(mi)}`;
}

/** A local calendar day ("2026-12-25") of an instant in the community's zone, as the server's days are. */
const localDay = (ms) => localInput(ms).slice(0, 10);

/**
 * The instant of a wall-clock time typed in the community's zone ("2026-12-25T18:00"), as the server reads one: a time
 * that happens twice (the autumn change) is its first occurrence, a time skipped (spring) moves on by the gap. NaN
 * when the text is not such a time.
 */
function fromLocalInput(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(String(text));
    if (!m) return NaN;
    const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
    const offsetAt = (ms) => {
        const [y, mo, d, hh, mi] = zoneFields(ms);
        return Date.UTC(y, mo - 1, d, hh, mi) - Math.floor(ms / MINUTE_MS) * MINUTE_MS;
    };
    // The offsets a day before and a day after: one of them, or both, give this wall-clock time.
    const candidates = [wall - offsetAt(wall - DAY_MS), wall - offsetAt(wall + DAY_MS)];
    const exact = candidates.filter((ms) => localInput(ms) === m[0]);
    return exact.length ? Math.min(...exact) : candidates[0];
}

/** A date and time in the community's zone, as the panel's language writes it. */
const whenLocal = (iso) => (iso ? new Intl.DateTimeFormat(LANG, { dateStyle: 'short', timeStyle: 'short', timeZone: communityZone() }).format(new Date(iso)) : '–');

/** The time left until an instant, in words: « dans 3 jours », « dans 5 heures », « dans 12 minutes ». */
function countdown(iso) {
    const left = Date.parse(iso) - Date.now();
    if (left <= 0) return t('po_past');
    const words = new Intl.RelativeTimeFormat(LANG, { numeric: 'always' });
    if (left >= 2 * DAY_MS) return words.format(Math.floor(left / DAY_MS), 'day');
    if (left >= 2 * HOUR_MS) return words.format(Math.floor(left / HOUR_MS), 'hour');
    return words.format(Math.max(1, Math.floor(left / MINUTE_MS)), 'minute');
}


/** The default tiers of a new item, as the server's DefaultTiers() makes them. */
const DEFAULT_TIERS = Object.freeze([['Early Bird', 30, 20], ['Founder', 20, 50], ['Supporter', 10, 100], ['Regular', 0, null]]);

/** A tier's seats in a short line: « Early Bird 3/20 », « Regular 12 » (no limit). */
const tierLine = (tier) => tier.name + ' ' + (tier.seats === null ? String(tier.sold) : tier.sold + '/' + tier.seats);

/** The cumulative seats sold per tier per local day, from the first day of sales (or the opening) to today. */
function salesSeries(view, days) {
    const firstSale = days.length ? days.map((d) => d.day).sort()[0] : null;
    const opened = view.opened_at ? localDay(Date.parse(view.opened_at)) : null;
    const first = [firstSale, opened].filter(Boolean).sort()[0];
    if (!first) return { labels: [], series: [] };
    const endAt = view.released_at ? Math.min(Date.parse(view.released_at), Date.now()) : Date.now();
    const last = [localDay(endAt), ...days.map((d) => d.day)].sort().at(-1);
    const labels = [];
    for (let ms = Date.parse(first + 'T12:00:00Z'); labels.length < 400; ms += DAY_MS) {
        const d = new Date(ms).toISOString().slice(0, 10);
        labels.push(d);
        if (d >= last) break;
    }
    const series = view.tiers.map((tier) => {
        let total = 0;
        return { label: tier.name, values: labels.map((d) => {
            total += days.filter((x) => x.day === d && String(x.tier_id) === String(tier.id)).reduce((n, x) => n + x.seats, 0);
            return total;
        }) };
    });
    return { labels, series };
}

async function preordersPage() {
    const m = main(t('preorders'));
    const box = h('p', { class: 'alert', role: 'status', id: 'po-message', hidden: true });
    const list = h('div', { id: 'preorders-list' });
    const detail = h('section', { id: 'preorder', 'aria-live': 'polite', 'aria-label': t('preorders') }, h('p', { class: 'muted', text: t('po_select') }));
    let editing = null;  // the item the form edits (null: a new one)

    // The form: the item's fields, then one line per tier.
    const name = h('input', { id: 'po-name', maxlength: 100 });
    const price = h('input', { id: 'po-price', inputmode: 'decimal', maxlength: 12, size: 10 });
    const release = h('input', { id: 'po-release', type: 'datetime-local' });
    const description = h('textarea', { id: 'po-description', maxlength: 1000, rows: 3 });
    const image = h('input', { id: 'po-image', type: 'url', maxlength: 500 });
    const delivery = h('textarea', { id: 'po-delivery', maxlength: 2000, rows: 3 });
    const limit = h('input', { id: 'po-limit', inputmode: 'numeric', maxlength: 4, size: 5 });
    const tiersBox = h('div', { id: 'po-tiers-form', class: 'tiers-form' });
    const locked = h('p', { class: 'notice', id: 'po-locked', hidden: true, text: t('po_locked') });
    const title = h('h2', { id: 'po-form-title', text: t('po_new') });
    const submit = h('button', { type: 'submit', class: 'primary', id: 'po-submit', text: t('po_create') });
    const drop = h('button', { type: 'button', id: 'po-drop', hidden: true, text: t('po_cancel_edit') });
    let tierRows = [];

    const fillTiers = (tiers, sold) => {
        clear(tiersBox);
        tierRows = tiers.map(([tierName, discount, seats], i) => {
            const row = {
                name: h('input', { id: `po-tier-${i}-name`, maxlength: 40, size: 14, value: tierName, disabled: sold }),
                discount: h('input', { id: `po-tier-${i}-discount`, inputmode: 'numeric', maxlength: 2, size: 3, value: String(discount), disabled: sold }),
                seats: h('input', { id: `po-tier-${i}-seats`, inputmode: 'numeric', maxlength: 6, size: 7, value: seats === null ? '' : String(seats) }),
            };
            tiersBox.append(h('fieldset', { class: 'tier-row', 'data-tier': String(i) }, h('legend', { text: t('po_tier_n', { n: i + 1 }) }),
                field(`po-tier-${i}-name`, t('po_tier_name'), row.name), field(`po-tier-${i}-discount`, t('po_discount'), row.discount),
                field(`po-tier-${i}-seats`, t('po_seats'), row.seats)));
            return row;
        });
        locked.hidden = !sold;
    };
    const fill = (item) => {
        editing = item;
        title.textContent = item ? t('po_edit_title', { name: item.name }) : t('po_new');
        submit.textContent = item ? t('po_save') : t('po_create');
        drop.hidden = !item;
        name.value = item ? item.name : '';
        price.value = item ? moneyInput(item.price_minor) : '';
        release.value = item ? localInput(Date.parse(item.release_at)) : '';
        description.value = item ? item.description : '';
        image.value = item ? item.image_url : '';
        delivery.value = item ? item.delivery : '';
        limit.value = item ? String(item.per_member_limit) : '1';
        const sold = Boolean(item && item.tiers.some((x) => x.sold > 0 || x.held > 0));
        fillTiers(item ? item.tiers.map((x) => [x.name, x.discount_percent, x.seats]) : DEFAULT_TIERS, sold);
    };
    const readTiers = () => {
        const out = [];
        for (const [i, row] of tierRows.entries()) {
            const tierName = row.name.value.trim();
            const discount = wholeNumber(row.discount.value);
            const seats = row.seats.value.trim() === '' ? null : wholeNumber(row.seats.value);
            const last = i === tierRows.length - 1;
            if (!tierName || tierName.length > 40) return { refusal: t('po_bad_tier', { n: i + 1 }), field: row.name };
            if (Number.isNaN(discount) || discount > 99) return { refusal: t('po_bad_tier', { n: i + 1 }), field: row.discount };
            if (Number.isNaN(seats) || seats === 0 || seats > 100000 || (seats === null && !last)) return { refusal: t('po_bad_tier', { n: i + 1 }), field: row.seats };
            out.push({ name: tierName, discount_percent: discount, seats });
        }
        return { tiers: out };
    };
    const sameTiers = (a, b) => a.length === b.length && a.every((x, i) => x.name === b[i].name && x.discount_percent === b[i].discount_percent && x.seats === b[i].seats);

    const form = h('form', { class: 'stack', id: 'po-form', novalidate: true, on: { submit: async (e) => {
        e.preventDefault();
        const minor = parseMoney(price.value);
        const releaseMs = fromLocalInput(release.value);
        const perMember = wholeNumber(limit.value);
        if (!name.value.trim() || name.value.trim().length > 100) return refuse(box, t('po_bad_name'), name);
        if (minor === null || Number.isNaN(minor) || minor === 0) return refuse(box, t('po_bad_price'), price);
        const releaseMoved = !editing || releaseMs !== Date.parse(editing.release_at);
        if (Number.isNaN(releaseMs) || (releaseMoved && releaseMs <= Date.now())) return refuse(box, t('po_bad_release'), release);
        if (Number.isNaN(perMember) || perMember < 1 || perMember > 1000) return refuse(box, t('po_bad_limit'), limit);
        if (image.value.trim() && !image.value.trim().startsWith('https://')) return refuse(box, t('bad_image'), image);
        const read = readTiers();
        if (read.refusal) return refuse(box, read.refusal, read.field);
        const fields = { name: name.value.trim(), price_minor: minor, release_at: new Date(releaseMs).toISOString(), description: description.value,
            image_url: image.value.trim(), delivery: delivery.value, per_member_limit: perMember };
        try {
            let saved;
            if (!editing) {
                saved = await api('/api/v1/preorders', { method: 'POST', body: { ...fields, tiers: read.tiers } });
                status(box, t('po_created', { name: saved.name }));
            } else {
                // Only what changed is sent: a release date sent again would not move, but says nothing new either.
                const changes = {};
                for (const key of Object.keys(fields)) {
                    const before = key === 'release_at' ? Date.parse(editing.release_at) : editing[key];
                    const after = key === 'release_at' ? releaseMs : fields[key];
                    if (before !== after) changes[key] = fields[key];
                }
                const tiersBefore = editing.tiers.map((x) => ({ name: x.name, discount_percent: x.discount_percent, seats: x.seats }));
                const tiersChanged = !sameTiers(read.tiers, tiersBefore);
                if (!Object.keys(changes).length && !tiersChanged) return status(box, t('po_unchanged'));
                saved = editing;
                if (Object.keys(changes).length) saved = await api('/api/v1/preorders/' + editing.id, { method: 'PATCH', body: changes });
                if (tiersChanged) saved = await api('/api/v1/preorders/' + editing.id + '/tiers', { method: 'PUT', body: { tiers: read.tiers } });
                const sold = editing.tiers.some((x) => x.sold > 0);
                status(box, t('po_saved', { name: saved.name }) + (sold && 'release_at' in changes ? ' ' + t('po_moved') : ''));
            }
            fill(null);
            await loadList();
            await show(saved.id);
        } catch (err) {
            showError(box, err);
        }
        return true;
    } } }, title,
    field('po-name', t('po_name'), name), field('po-price', t('po_price_label'), price),
    field('po-release', t('po_release_label', { zone: communityZone() }), release),
    field('po-limit', t('po_limit'), limit), field('po-image', t('po_image'), image),
    field('po-description', t('po_description'), description), field('po-delivery', t('po_delivery'), delivery),
    h('h3', { text: t('po_tiers') }), locked, tiersBox,
    h('div', { class: 'actions' }, submit, drop));
    drop.addEventListener('click', () => fill(null));

    const loadList = async () => {
        const data = await api('/api/v1/preorders?all=1');
        clear(list);
        if (!data.items.length) {
            list.append(h('p', { class: 'muted', text: t('po_none') }));
            return;
        }
        list.append(h('table', { id: 'preorders-table' },
            h('thead', null, h('tr', null, ['po_item', 'status', 'po_release', 'po_countdown', 'po_tiers'].map((k) => h('th', { scope: 'col', text: t(k) })))),
            h('tbody', null, data.items.map((item) => h('tr', { 'data-item': String(item.id), 'data-name': item.name },
                h('td', null, h('button', { type: 'button', class: 'link', text: item.name, on: { click: () => show(item.id).catch((err) => showError(box, err)) } })),
                h('td', { class: 'state', text: t('po_' + item.status) }),
                h('td', { class: 'release', text: whenLocal(item.release_at) }),
                h('td', { class: 'countdown', text: item.status === 'open' || item.status === 'draft' || item.status === 'closed' ? countdown(item.release_at) : '–' }),
                h('td', { class: 'tiers' }, h('ul', { class: 'tier-list' }, item.tiers.map((x) => h('li', { text: tierLine(x) })))))))));
    };

    const show = async (id) => {
        const [stats, buyers] = await Promise.all([api('/api/v1/preorders/' + id + '/stats'), api('/api/v1/preorders/' + id + '/buyers')]);
        const item = stats.item;
        for (const row of list.querySelectorAll('tr[data-item]')) row.classList.toggle('selected', row.dataset.item === String(id));
        clear(detail);
        const actionBox = alertBox();
        const act = (path, done) => async () => {
            try {
                await api('/api/v1/preorders/' + id + '/' + path, { method: 'POST' });
                await loadList();
                await show(id);
                status(box, t(done, { name: item.name }));
            } catch (err) {
                showError(actionBox, err);
            }
        };
        const tools = [];
        if (item.status === 'draft' || item.status === 'closed') tools.push(h('button', { type: 'button', class: 'primary', id: 'po-open', text: t('po_open_action'), on: { click: act('open', 'po_opened') } }));
        if (item.status === 'open') tools.push(h('button', { type: 'button', id: 'po-close', text: t('po_close_action'), on: { click: act('close', 'po_closed_done') } }));
        if (item.status === 'draft' || item.status === 'open' || item.status === 'closed') {
            tools.push(h('button', { type: 'button', id: 'po-edit', text: t('po_edit'), on: { click: () => { fill(item); name.focus(); } } }));
            tools.push(confirmed('po-cancel', t('po_cancel_action'), act('cancel', 'po_cancelled_done'), t('po_cancel_sure', { name: item.name })));
        }
        const cur = (minor) => money(minor, item.currency);
        detail.append(h('h2', { id: 'po-title', text: item.name }),
            // (The DOM's own append writes null as text: an item without a picture adds an empty string.)
            item.image_url.startsWith('https://') ? h('img', { class: 'thumb', src: item.image_url, alt: '', width: 80, height: 80 }) : '',
            h('dl', { class: 'facts' },
                h('dt', { text: t('status') }), h('dd', { id: 'po-status', text: t('po_' + item.status) }),
                h('dt', { text: t('po_price') }), h('dd', { id: 'po-full-price', text: cur(item.price_minor) }),
                h('dt', { text: t('po_release') }), h('dd', { id: 'po-release-at', text: whenLocal(item.release_at) + (item.status === 'released' || item.status === 'cancelled' ? '' : ' (' + countdown(item.release_at) + ')') }),
                h('dt', { text: t('po_per_member') }), h('dd', { text: String(item.per_member_limit) }),
                item.release_moves ? [h('dt', { text: t('po_moves') }), h('dd', { text: String(item.release_moves) })] : null,
                h('dt', { text: t('po_revenue') }), h('dd', { id: 'po-revenue', text: cur(stats.revenue_minor) }),
                h('dt', { text: t('po_refunded') }), h('dd', { id: 'po-refunded', text: cur(stats.refunded_minor) }),
                h('dt', { text: t('po_buyers_n') }), h('dd', { id: 'po-buyers-count', text: String(stats.buyers) }),
                item.description ? [h('dt', { text: t('po_description') }), h('dd', { class: 'prose', text: item.description })] : null,
                item.delivery ? [h('dt', { text: t('po_delivery_short') }), h('dd', { class: 'prose', text: item.delivery })] : null),
            actionBox, h('p', { class: 'actions' }, ...tools),
            h('h3', { text: t('po_tiers') }),
            // Focusable: on a phone the table scrolls in its block, and the keyboard scrolls it too.
            h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': t('po_tiers') }, h('table', { id: 'po-tiers', class: 'compact' },
                h('thead', null, h('tr', null, ['name', 'po_discount', 'po_tier_price', 'po_sold', 'po_held', 'po_open_seats'].map((k) => h('th', { scope: 'col', text: t(k) })))),
                h('tbody', null, item.tiers.map((x, i) => h('tr', { 'data-tier': String(i + 1) },
                    h('td', { text: x.name }), h('td', { class: 'num', text: x.discount_percent + ' %' }), h('td', { class: 'num', text: cur(x.price_minor) }),
                    h('td', { class: 'num', text: x.seats === null ? String(x.sold) : x.sold + ' / ' + x.seats }), h('td', { class: 'num', text: String(x.held) }),
                    h('td', { class: 'num', text: x.open === null ? t('po_unlimited') : String(x.open) })))))));
        const charts = h('div', { class: 'charts', id: 'po-chart' });
        detail.append(charts);
        const sales = salesSeries(item, stats.days);
        const draw = chart(charts, t('po_chart'), sales.labels, sales.series);
        detail.append(h('h3', { id: 'po-buyers-title', text: t('po_buyers') }),
            h('p', null, h('a', { id: 'po-csv', class: 'button', href: '/api/v1/preorders/' + id + '/buyers.csv', download: 'preorder-' + id + '-buyers.csv', text: t('po_csv') })),
            buyers.items.length
                ? h('div', { class: 'table-wrap' }, h('table', { id: 'po-buyers', 'aria-labelledby': 'po-buyers-title' },
                    h('thead', null, h('tr', null, ['owner', 'po_tier', 'po_tier_price', 'status', 'po_paid_at'].map((k) => h('th', { scope: 'col', text: t(k) })))),
                    h('tbody', null, buyers.items.map((p) => h('tr', { 'data-purchase': String(p.id) },
                        h('td', null, person(p.user, buyers.people)), h('td', { text: p.tier_name }), h('td', { class: 'num', text: money(p.price_minor, p.currency) }),
                        h('td', { class: 'state', text: t('ps_' + p.status) + (p.late ? ' (' + t('po_late') + ')' : '') }), h('td', { text: whenLocal(p.paid_at) }))))))
                : h('p', { class: 'muted', id: 'po-no-buyers', text: t('po_no_buyers') }));
        draw();
    };

    m.append(box, h('div', { class: 'split' }, list, detail), form);
    fill(null);
    try {
        await loadList();
        const wanted = new URLSearchParams(window.location.search).get('id');
        if (wanted && /^[0-9]{1,18}$/.test(wanted)) await show(wanted);
    } catch (err) {
        showError(box, err);
    }
}

// ---------------------------------------------------------------------------------------------------
// Marketing: applications to approve or reject (with a reason), holders by role with revoke (a reason), the invite
// leaderboard (7 days, 30 days, all time), the marketers' monthly statements (a month picker, the month's lines with
// buyers by name for staff, payouts), and the forms staff record a payout and enter a reward with. Every rule is the
// server's: its refusals are shown as it words them.

/** A marketing role's name in the panel's language (a role the panel does not know: its key). */
const mkRole = (key) => (Object.hasOwn(TEXT[LANG], 'mk_role_' + key) ? t('mk_role_' + key) : String(key));
/** A word the panel knows under a prefix (a status, a kind, a reason code), else the value itself. */
const mkWord = (prefix, value) => (value && Object.hasOwn(TEXT[LANG], prefix + value) ? t(prefix + value) : String(value || ''));
/** The current local month ("2026-12") in the community's zone. */
const thisMonth = () => localDay(Date.now()).slice(0, 7);
/** A person by name, or '–' when the server names nobody (0: Maxis itself, or no one). */
const someone = (id, people) => (id && String(id) !== '0' ? person(id, people) : '–');
/** Roles whose reward staff enter within bounds. */
const STAFF_REWARDS = Object.freeze(['monthly', 'per_piece', 'per_event']);

async function marketingPage() {
    const m = main(t('marketing'));
    const box = h('p', { class: 'alert', role: 'status', id: 'mk-message', hidden: true });
    const apps = h('div', { id: 'mk-applications' });
    const holdersBox = h('div', { id: 'mk-holders' });
    const leaders = h('div', { id: 'mk-leaders' });
    const marketers = h('div', { id: 'mk-marketers' });
    const detail = h('section', { id: 'mk-statement', 'aria-live': 'polite', 'aria-label': t('mk_statement_label') }, h('p', { class: 'muted', text: t('mk_select') }));
    let roles = [];      // the enabled roles' configuration (reward, bounds)
    let holders = [];    // active holders: {user, role, ...}
    const names = new Map(); // the names of everyone the responses named so far, by id
    let selected = null;     // the marketer whose statement is open
    const nameOf = (id) => names.get(String(id)) || t('unknown_member');
    const learn = (data) => {
        const known = data && data.people && typeof data.people === 'object' ? data.people : {};
        for (const id of Object.keys(known)) if (known[id] && typeof known[id].name === 'string' && known[id].name) names.set(id, known[id].name);
    };
    const roleKey = (r) => String(r.role);

    // Applications: a status filter (pending first); each pending one is approved, or rejected with a reason.
    const [appLabel, appStatus] = select('mk-app-status', t('mk_app_status'), ['pending', 'approved', 'rejected'].map((s) => [s, t('mk_as_' + s)]), false, 'pending');
    const loadApplications = async () => {
        const data = await api('/api/v1/marketing/applications?status=' + encodeURIComponent(appStatus.value));
        learn(data);
        clear(apps);
        if (!data.items.length) {
            apps.append(h('p', { class: 'muted', id: 'mk-apps-none', text: t('mk_apps_none') }));
            return;
        }
        apps.append(h('div', { class: 'table-wrap' }, h('table', { id: 'mk-apps-table', 'aria-labelledby': 'mk-apps-title' },
            h('thead', null, h('tr', null, ['owner', 'role', 'mk_form', 'mk_applied', 'mk_decision'].map((k) => h('th', { scope: 'col', text: t(k) })))),
            h('tbody', null, data.items.map((a) => applicationRow(a, data.people))))));
    };
    const applicationRow = (a, known) => {
        // What they wrote: followers, links, portfolio, message (each when given).
        const wrote = h('ul', { class: 'tier-list' },
            Number(a.followers) > 0 ? h('li', { text: t('mk_followers', { n: Number(a.followers).toLocaleString(LANG === 'fr' ? 'fr-FR' : 'en-GB') }) }) : null,
            a.links ? h('li', { class: 'prose' }, h('strong', { text: t('mk_links') }), ' ', String(a.links)) : null,
            a.portfolio ? h('li', { class: 'prose' }, h('strong', { text: t('mk_portfolio') }), ' ',
                /^https:\/\//.test(a.portfolio) ? h('a', { href: a.portfolio, rel: 'noopener noreferrer', target: '_blank', text: a.portfolio }) : String(a.portfolio)) : null,
            a.message ? h('li', { class: 'prose' }, h('strong', { text: t('mk_message') }), ' ', String(a.message)) : null);
        let decision;
        if (a.status === 'pending') {
            const why = h('input', { id: `mk-reject-reason-${a.id}`, maxlength: 500, size: 18 });
            decision = h('div', { class: 'inline' },
                h('button', { type: 'button', class: 'primary', id: `mk-approve-${a.id}`, text: t('mk_approve'), on: { click: async () => {
                    try {
                        await api(`/api/v1/marketing/applications/${a.id}/approve`, { method: 'POST' });
                        status(box, t('mk_approved', { member: nameOf(a.user), role: mkRole(a.role) }));
                        await Promise.all([loadApplications(), loadHolders()]);
                    } catch (err) {
                        showError(box, err);
                    }
                } } }),
                h('form', { class: 'inline', id: `mk-reject-${a.id}`, novalidate: true, on: { submit: async (e) => {
                    e.preventDefault();
                    if (!why.value.trim()) return refuse(box, t('bad_reason'), why);
                    try {
                        await api(`/api/v1/marketing/applications/${a.id}/reject`, { method: 'POST', body: { reason: why.value.trim() } });
                        status(box, t('mk_rejected', { member: nameOf(a.user), role: mkRole(a.role) }));
                        await loadApplications();
                    } catch (err) {
                        showError(box, err);
                    }
                    return true;
                } } }, h('label', { for: `mk-reject-reason-${a.id}`, class: 'visually-hidden', text: t('mk_reject_reason') }), why,
                h('button', { type: 'submit', class: 'danger', text: t('mk_reject') })));
        } else {
            decision = h('span', null, t('mk_decided', { status: t('mk_as_' + a.status), d: whenLocal(a.decided_at) }),
                a.actor ? [' — ', person(a.actor, known)] : null, a.reason ? h('span', { class: 'prose' }, ' (' + t('mk_because', { reason: a.reason }) + ')') : null);
        }
        return h('tr', { 'data-application': String(a.id), 'data-user': String(a.user) },
            h('td', null, person(a.user, known)), h('td', { class: 'role', text: mkRole(a.role) }), h('td', null, wrote),
            h('td', { text: whenLocal(a.created_at) }), h('td', null, decision));
    };
    appStatus.addEventListener('change', () => loadApplications().catch((err) => showError(box, err)));

    // Holders, one table per role that has any; each is revoked with a reason.
    const loadHolders = async () => {
        const data = await api('/api/v1/marketing/holders');
        learn(data);
        holders = data.items;
        clear(holdersBox);
        if (!holders.length) holdersBox.append(h('p', { class: 'muted', id: 'mk-holders-none', text: t('mk_holders_none') }));
        // One table per role that someone holds, in the roles' order.
        for (const r of roles) {
            const key = roleKey(r);
            const rows = holders.filter((x) => String(x.role) === key);
            if (!rows.length) continue;
            const section = h('section', { 'aria-labelledby': 'mk-holders-' + key, 'data-role': key }, h('h3', { id: 'mk-holders-' + key, text: mkRole(key) }));
            section.append(h('div', { class: 'table-wrap' }, h('table', { class: 'holders compact' },
                h('thead', null, h('tr', null, ['owner', 'mk_granted', 'mk_granted_by', 'action'].map((k) => h('th', { scope: 'col', text: t(k) })))),
                h('tbody', null, rows.map((x) => {
                    const id = `mk-revoke-${key}-${x.user}`;
                    const why = h('input', { id: id + '-reason', maxlength: 500, size: 18 });
                    return h('tr', { 'data-user': String(x.user) },
                        h('td', null, person(x.user, data.people)), h('td', { text: whenLocal(x.granted_at) }), h('td', null, someone(x.granted_by, data.people)),
                        h('td', null, h('form', { class: 'inline', id, novalidate: true, on: { submit: async (e) => {
                            e.preventDefault();
                            if (!why.value.trim()) return refuse(box, t('bad_reason'), why);
                            try {
                                await api(`/api/v1/marketing/holders/${x.user}/${encodeURIComponent(key)}/revoke`, { method: 'POST', body: { reason: why.value.trim() } });
                                status(box, t('mk_revoked', { role: mkRole(key), member: nameOf(x.user) }));
                                await loadHolders();
                                if (selected === String(x.user)) await show(selected);
                            } catch (err) {
                                showError(box, err);
                            }
                            return true;
                        } } }, h('label', { for: id + '-reason', class: 'visually-hidden', text: t('mk_revoke_reason') }), why,
                        h('button', { type: 'submit', class: 'danger', text: t('mk_revoke') }))));
                })))));
            holdersBox.append(section);
        }
    };

    // The invite leaderboard: 7 days, 30 days, all time.
    const [windowLabel, windowPicker] = select('mk-window', t('mk_window'), ['7d', '30d', 'all'].map((w) => [w, t('mk_w_' + w)]), false, '7d');
    const loadLeaders = async () => {
        const data = await api('/api/v1/marketing/invites/leaderboard?window=' + encodeURIComponent(windowPicker.value));
        learn(data);
        clear(leaders);
        if (!data.items.length) {
            leaders.append(h('p', { class: 'muted', id: 'mk-leaders-none', text: t('mk_leaders_none') }));
            return;
        }
        leaders.append(h('table', { class: 'compact', id: 'mk-leaders-table' },
            h('thead', null, h('tr', null, ['gw_rank', 'name', 'mk_invites_total', 'mk_invites_validated'].map((k) => h('th', { scope: 'col', text: t(k) })))),
            h('tbody', null, data.items.map((r, i) => h('tr', { 'data-user': String(r.user) }, h('td', { class: 'num', text: String(r.rank || i + 1) }),
                h('td', null, person(r.user, data.people)), h('td', { class: 'num total', text: String(r.total) }), h('td', { class: 'num validated', text: String(r.validated) }))))));
    };
    windowPicker.addEventListener('change', () => loadLeaders().catch((err) => showError(box, err)));

    // The marketers' statements for a month, the CSV of that month, and one marketer's statement with the forms.
    const month = h('input', { id: 'mk-month', type: 'month', value: thisMonth(), max: thisMonth() });
    const csv = h('a', { id: 'mk-csv', class: 'button', text: t('mk_csv') });
    const monthValue = () => (/^\d{4}-\d{2}$/.test(month.value) ? month.value : thisMonth());
    const setCsv = () => {
        csv.setAttribute('href', '/api/v1/marketing/statements.csv?month=' + encodeURIComponent(monthValue()));
        csv.setAttribute('download', 'marketing-' + monthValue() + '.csv');
    };
    const loadMarketers = async () => {
        setCsv();
        const data = await api('/api/v1/marketing/marketers?month=' + encodeURIComponent(monthValue()));
        learn(data);
        clear(marketers);
        if (!data.items.length) {
            marketers.append(h('p', { class: 'muted', id: 'mk-marketers-none', text: t('mk_marketers_none') }));
            return;
        }
        marketers.append(h('div', { class: 'table-wrap' }, h('table', { id: 'mk-marketers-table', 'aria-labelledby': 'mk-marketers-title' },
            h('thead', null, h('tr', null, ['owner', 'mk_opening', 'mk_earned', 'mk_reversed', 'mk_paid', 'mk_pending', 'mk_closing'].map((k) => h('th', { scope: 'col', text: t(k) })))),
            h('tbody', null, data.items.map((s) => {
                const cur = (minor) => money(minor, s.currency);
                return h('tr', { 'data-user': String(s.user), class: selected === String(s.user) ? 'selected' : null },
                    h('td', null, person(s.user, data.people), ' ', h('button', { type: 'button', class: 'link', 'data-show': String(s.user), text: t('mk_show'),
                        'aria-label': t('mk_show') + ' : ' + nameOf(s.user), on: { click: () => show(String(s.user)).catch((err) => showError(box, err)) } })),
                    h('td', { class: 'num opening', text: cur(s.opening_minor) }), h('td', { class: 'num earned', text: cur(s.earned_minor) }),
                    h('td', { class: 'num reversed', text: cur(s.reversed_minor) }), h('td', { class: 'num paid', text: cur(s.paid_minor) }),
                    h('td', { class: 'num pending', text: cur(s.pending_minor) }), h('td', { class: 'num closing', text: cur(s.closing_minor) }));
            })))));
    };
    month.addEventListener('change', async () => {
        try {
            await loadMarketers();
            if (selected) await show(selected);
        } catch (err) {
            showError(box, err);
        }
    });

    const show = async (user) => {
        const s = await api(`/api/v1/marketing/marketers/${user}/statement?month=` + encodeURIComponent(monthValue()));
        learn(s);
        selected = String(user);
        for (const row of marketers.querySelectorAll('tr[data-user]')) row.classList.toggle('selected', row.dataset.user === selected);
        const cur = (minor) => money(minor, s.currency);
        const formBox = h('p', { class: 'alert', role: 'status', id: 'mk-form-message', hidden: true });
        clear(detail);
        detail.append(h('h3', { id: 'mk-statement-title', text: t('mk_statement', { member: nameOf(user), month: monthTitle(monthValue()) }) }),
            h('dl', { class: 'facts' },
                h('dt', { text: t('mk_opening') }), h('dd', { id: 'mk-opening', text: cur(s.opening_minor) }),
                h('dt', { text: t('mk_earned') }), h('dd', { id: 'mk-earned', text: cur(s.earned_minor) }),
                h('dt', { text: t('mk_reversed') }), h('dd', { id: 'mk-reversed', text: cur(s.reversed_minor) }),
                h('dt', { text: t('mk_paid') }), h('dd', { id: 'mk-paid', text: cur(s.paid_minor) }),
                h('dt', { text: t('mk_pending') }), h('dd', { id: 'mk-pending', text: cur(s.pending_minor) }),
                h('dt', { text: t('mk_closing') }), h('dd', { id: 'mk-closing', text: cur(s.closing_minor) }),
                s.balance && typeof s.balance.due_minor === 'number' ? [h('dt', { text: t('mk_due_now') }), h('dd', { id: 'mk-due-now', text: cur(s.balance.due_minor) })] : null),
            h('h4', { id: 'mk-lines-title', text: t('mk_lines') }),
            s.lines.length
                ? h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-labelledby': 'mk-lines-title' }, h('table', { id: 'mk-lines', class: 'compact' },
                    h('thead', null, h('tr', null, ['mk_created', 'mk_kind', 'role', 'status', 'mk_amount', 'mk_sale', 'mk_buyer', 'mk_note'].map((k) => h('th', { scope: 'col', text: t(k) })))),
                    h('tbody', null, s.lines.map((c) => h('tr', { 'data-line': String(c.id), 'data-kind': c.kind },
                        h('td', { text: whenLocal(c.created_at) }), h('td', { class: 'kind', text: mkWord('mk_k_', c.kind) }), h('td', { text: mkRole(c.role) }),
                        h('td', { class: 'state', text: mkWord('mk_s_', c.status) }), h('td', { class: 'num amount', text: money(c.amount_minor, c.currency || s.currency) }),
                        h('td', { class: 'sale' }, c.kind === 'sale' ? [mkWord('mk_src_', c.source), ' — ', t('mk_sale_of', { percent: c.percent, sale: cur(c.sale_minor) }),
                            c.refunded_minor ? ' (' + t('mk_refunded_of', { refunded: cur(c.refunded_minor) }) + ')' : ''] : '–'),
                        h('td', { class: 'buyer' }, c.kind === 'sale' ? someone(c.buyer, s.people) : '–'),
                        h('td', { class: 'prose note', text: c.kind === 'clawback' || c.status === 'reversed' ? mkWord('mk_n_', c.note) : c.note || '' }))))))
                : h('p', { class: 'muted', id: 'mk-no-lines', text: t('mk_lines_none') }),
            h('h4', { id: 'mk-payouts-title', text: t('mk_payouts') }),
            s.payouts.length
                ? h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-labelledby': 'mk-payouts-title' }, h('table', { id: 'mk-payouts', class: 'compact' },
                    h('thead', null, h('tr', null, ['mk_created', 'mk_amount', 'mk_reference', 'mk_by'].map((k) => h('th', { scope: 'col', text: t(k) })))),
                    h('tbody', null, s.payouts.map((p) => h('tr', { 'data-payout': String(p.id) }, h('td', { text: whenLocal(p.created_at) }),
                        h('td', { class: 'num amount', text: money(p.amount_minor, p.currency || s.currency) }), h('td', { class: 'prose reference', text: p.reference }),
                        h('td', null, someone(p.created_by, s.people)))))))
                : h('p', { class: 'muted', id: 'mk-no-payouts', text: t('mk_payouts_none') }),
            formBox, payoutForm(user, formBox), rewardForm(user, formBox));
    };

    // A payout: an amount and its reference; the server refuses more than what is due.
    const payoutForm = (user, formBox) => {
        const amount = h('input', { id: 'mk-payout-amount', inputmode: 'decimal', maxlength: 12, size: 10 });
        const reference = h('input', { id: 'mk-payout-reference', maxlength: 200, size: 24 });
        return h('form', { class: 'stack', id: 'mk-payout-form', novalidate: true, on: { submit: async (e) => {
            e.preventDefault();
            const minor = parseMoney(amount.value);
            if (minor === null || Number.isNaN(minor) || minor === 0) return refuse(formBox, t('bad_amount'), amount);
            if (!reference.value.trim()) return refuse(formBox, t('mk_bad_reference'), reference);
            try {
                const p = await api(`/api/v1/marketing/marketers/${user}/payouts`, { method: 'POST', body: { amount_minor: minor, reference: reference.value.trim() } });
                const done = t('mk_payout_done', { amount: money(p.amount_minor ?? minor, p.currency), member: nameOf(user), reference: p.reference || reference.value.trim() });
                await Promise.all([loadMarketers(), show(user)]);
                status(document.getElementById('mk-form-message'), done);
            } catch (err) {
                showError(formBox, err);
            }
            return true;
        } } }, h('h4', { text: t('mk_payout') }), h('p', { class: 'muted', text: t('mk_payout_hint') }),
        field('mk-payout-amount', t('mk_payout_amount'), amount), field('mk-payout-reference', t('mk_payout_reference'), reference),
        h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: t('mk_payout_save') })));
    };

    // A reward: one of the roles the marketer holds that staff reward, its bounds shown; the server checks them.
    const rewardForm = (user, formBox) => {
        const held = holders.filter((x) => String(x.user) === String(user)).map((x) => String(x.role));
        const rewarded = roles.filter((r) => held.includes(roleKey(r)) && STAFF_REWARDS.includes(String(r.reward)));
        const section = h('form', { class: 'stack', id: 'mk-reward-form', novalidate: true }, h('h4', { text: t('mk_reward') }));
        if (!rewarded.length) {
            section.append(h('p', { class: 'muted', id: 'mk-reward-none', text: t('mk_no_reward_role') }));
            return section;
        }
        const [roleLabel, role] = select('mk-reward-role', t('mk_reward_role'), rewarded.map((r) => [roleKey(r), mkRole(roleKey(r))]), false, roleKey(rewarded[0]));
        const bounds = h('p', { class: 'muted', id: 'mk-reward-bounds', 'aria-live': 'polite' });
        const amount = h('input', { id: 'mk-reward-amount', inputmode: 'decimal', maxlength: 12, size: 10, 'aria-describedby': 'mk-reward-bounds' });
        const note = h('input', { id: 'mk-reward-note', maxlength: 500, size: 30 });
        const showBounds = () => {
            const r = rewarded.find((x) => roleKey(x) === role.value);
            bounds.textContent = r ? t('mk_bounds', { reward: t('mk_r_' + r.reward), min: money(r.min_minor, r.currency), max: money(r.max_minor, r.currency) }) : '';
        };
        role.addEventListener('change', showBounds);
        showBounds();
        section.addEventListener('submit', async (e) => {
            e.preventDefault();
            const minor = parseMoney(amount.value);
            if (minor === null || Number.isNaN(minor) || minor === 0) return refuse(formBox, t('bad_amount'), amount);
            if (!note.value.trim()) return refuse(formBox, t('mk_bad_note'), note);
            try {
                const c = await api(`/api/v1/marketing/marketers/${user}/rewards`, { method: 'POST', body: { role: role.value, amount_minor: minor, note: note.value.trim() } });
                const done = t('mk_reward_done', { amount: money(c.amount_minor ?? minor, c.currency), member: nameOf(user), role: mkRole(role.value) });
                await Promise.all([loadMarketers(), show(user)]);
                status(document.getElementById('mk-form-message'), done);
            } catch (err) {
                showError(formBox, err);
            }
            return true;
        });
        section.append(roleLabel, role, bounds, field('mk-reward-amount', t('mk_reward_amount'), amount), field('mk-reward-note', t('mk_reward_note'), note),
            h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', text: t('mk_reward_save') })));
        return section;
    };

    m.append(box,
        h('section', { 'aria-labelledby': 'mk-apps-title' }, h('h2', { id: 'mk-apps-title', text: t('mk_applications') }),
            h('form', { class: 'filters', on: { submit: (e) => e.preventDefault() } }, appLabel, appStatus), apps),
        h('section', { 'aria-labelledby': 'mk-marketers-title' }, h('h2', { id: 'mk-marketers-title', text: t('mk_marketers') }),
            h('form', { class: 'filters', on: { submit: (e) => e.preventDefault() } }, h('label', { for: 'mk-month', text: t('mk_month') }), month, csv),
            marketers, detail),
        h('section', { 'aria-labelledby': 'mk-holders-title' }, h('h2', { id: 'mk-holders-title', text: t('mk_holders') }), holdersBox),
        h('section', { 'aria-labelledby': 'mk-leaders-title' }, h('h2', { id: 'mk-leaders-title', text: t('mk_leaders') }),
            h('form', { class: 'filters', on: { submit: (e) => e.preventDefault() } }, windowLabel, windowPicker), leaders));
    setCsv();
    try {
        const data = await api('/api/v1/marketing/roles');
        roles = data.items.filter((r) => r.enabled !== false);
        await Promise.all([loadApplications(), loadHolders(), loadLeaders(), loadMarketers()]);
        const wanted = new URLSearchParams(window.location.search).get('user');
        if (wanted && /^[0-9]{1,20}$/.test(wanted)) await show(wanted);
    } catch (err) {
        showError(box, err);
    }
}

/** A month ("2026-12") in words: « décembre 2026 », "December 2026". */
const monthTitle = (ym) => new Intl.DateTimeFormat(LANG, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(ym + '-15T12:00:00Z'));

// ---------------------------------------------------------------------------------------------------
// The setup checklist (dashboard) and the operations guide it links to.

async function setupChecklist(container) {
    const data = await api('/admin-panel/api/setup');
    const missing = data.items.filter((i) => !i.done);
    const list = h('ul', { class: 'checklist', id: 'setup-checklist' }, data.items.map((i) => h('li', { class: i.done ? 'done' : 'missing', 'data-item': i.id },
        h('span', { class: 'badge' + (i.done ? '' : ' danger'), text: i.done ? t('setup_ok') : t('setup_missing') }), ' ', t('setup_' + i.id),
        i.done ? null : [' — ', h('a', { href: '/admin-panel/docs#' + i.doc, text: t('setup_how') })])));
    container.append(h('section', { 'aria-labelledby': 'setup-title' }, h('h2', { id: 'setup-title', text: t('setup') }),
        missing.length ? list : h('p', { class: 'muted', id: 'setup-checklist', text: t('setup_done') })));
}

/** A heading's anchor, as the docs' own links write it: lower case, punctuation dropped, spaces as dashes. */
const anchorOf = (text) => text.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').trim().replace(/ /g, '-');

/** Markdown text with `code`, **bold** and [links](...) as DOM nodes (never as HTML). */
function inline(text) {
    const out = [];
    const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
    let last = 0;
    for (let match = re.exec(text); match; match = re.exec(text)) {
        out.push(text.slice(last, match.index));
        if (match[1] !== undefined) out.push(h('code', { text: match[1] }));
        else if (match[2] !== undefined) out.push(h('strong', { text: match[2] }));
        else out.push(/^(https:|#)/.test(match[4]) ? h('a', { href: match[4], text: match[3] }) : match[3]);
        last = re.lastIndex;
    }
    out.push(text.slice(last));
    return out;
}

async function docsPage() {
    const m = main(t('docs'));
    const box = alertBox();
    m.append(box);
    try {
        const res = await fetch('/admin-panel/assets/operations.md', { credentials: 'same-origin' });
        if (!res.ok) throw new Error(res.statusText);
        const lines = (await res.text()).split('\n');
        const doc = h('article', { class: 'doc', id: 'doc' });
        let para = null;
        let list = null;
        let code = null;
        for (const line of lines) {
            if (code) {
                if (line.startsWith('```')) code = null;
                else code.textContent += line + '\n';
                continue;
            }
            if (line.startsWith('```')) {
                code = h('code');
                doc.append(h('pre', null, code));
                para = list = null;
            } else if (/^#{1,4} /.test(line)) {
                const level = line.indexOf(' ');
                const text = line.slice(level + 1);
                doc.append(h('h' + Math.min(level + 1, 5), { id: anchorOf(text) }, inline(text)));
                para = list = null;
            } else if (/^\s*[-*] /.test(line)) {
                if (!list) doc.append((list = h('ul')));
                list.append(h('li', null, inline(line.replace(/^\s*[-*] /, ''))));
                para = null;
            } else if (!line.trim()) {
                para = list = null;
            } else if (list && /^\s+/.test(line)) {
                list.lastChild.append(' ', ...inline(line.trim()));
            } else {
                if (!para) doc.append((para = h('p')));
                else para.append(' ');
                para.append(...inline(line.trim()));
            }
        }
        m.append(doc);
        const target = window.location.hash ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null;
        if (target) {
            target.setAttribute('tabindex', '-1');
            target.scrollIntoView();
            target.focus();
        }
    } catch (err) {
        showError(box, err);
    }
}

// ---------------------------------------------------------------------------------------------------

const PAGES = Object.freeze({
    login: loginPage, refused: refusedPage, enrol: enrolPage, 'second-factor': secondFactorPage, dashboard: dashboardPage,
    users: usersPage, orders: ordersPage, tickets: ticketsPage, logs: logsPage, settings: settingsPage,
    products: productsPage, promotions: promotionsPage, plans: plansPage, giveaways: giveawaysPage, docs: docsPage,
    preorders: preordersPage, marketing: marketingPage,
});

async function start() {
    if (PAGE !== 'login' && PAGE !== 'refused') {
        try {
            me = await api('/admin-panel/api/me');
            csrf = String(me.csrf_token);
        } catch {
            return;
        }
    }
    header();
    const render = Object.hasOwn(PAGES, PAGE) ? PAGES[PAGE] : loginPage;
    await render();
    document.body.dataset.ready = 'true';
}

start();
