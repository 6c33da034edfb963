/* Vue and Vant are classic scripts (Vant's prebuilt bundle needs the global Vue); this module hands
 * them to the app's ES modules. */
export const Vue = window.Vue;
export const vant = window.vant;
export const { reactive, ref, computed, watch, onMounted, onBeforeUnmount, nextTick, createApp } = window.Vue;
